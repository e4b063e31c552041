// `bulkhead scan` as a library call, the scan family's driver: read the image (any input), run the vulnerability
// detector against the database and the image-configuration rules, apply the filters and return the Report.
import type { IgnoreRules } from '../detect/filter.js';
import { applyScanFilters } from '../detect/filter.js';
import { detectVulnerabilities } from '../detect/index.js';
import { readImage, type ReadImageOptions } from '../image/index.js';
import type { ImageFacts } from '../image/types.js';
import type { Diagnostic } from '../shared/diagnostic.js';
import type { Finding } from '../shared/finding.js';
import { computeKernelVulnerabilities } from '../collect/kernel-vulnerabilities.js';
import type { KernelVulnerabilities } from '../facts/kernel-vulnerabilities.js';
import type { Known } from '../facts/known.js';
import { collectHostFacts } from '../host/collect.js';
import { createReport, type Report } from '../shared/report.js';
import type { Severity } from '../shared/severity.js';
import { openVulnDb, type VulnDb } from '../vulndb/db.js';
import { checkImage, IMAGE_RULES } from './rules/index.js';

export { checkImage, IMAGE_RULES } from './rules/index.js';

export interface ScanOptions extends ReadImageOptions {
  /** The vulnerability database; undefined runs image-configuration checks only (--skip-db). */
  readonly db: VulnDb | undefined;
  /** Run the image-configuration rules (default true). */
  readonly configChecks?: boolean;
}

export interface ScanResult {
  readonly facts: ImageFacts;
  readonly findings: Finding[];
  readonly diagnostics: Diagnostic[];
  /** Why vulnerabilities could not be judged for this OS, when that is the case. */
  readonly unsupported?: string;
}

export async function scanImage(target: string, options: ScanOptions): Promise<ScanResult> {
  const facts = await readImage(target, options);
  const findings: Finding[] = [];
  const diagnostics: Diagnostic[] = [...facts.diagnostics];
  let unsupported: string | undefined;
  if (options.db !== undefined) {
    const result = detectVulnerabilities(
      { image: facts.ref, os: facts.os, packages: facts.packages },
      options.db,
    );
    for (const item of result.findings) findings.push(item);
    for (const item of result.diagnostics) diagnostics.push(item);
    if (result.unsupported !== undefined && facts.packages.length > 0) {
      unsupported = result.unsupported;
      diagnostics.push({
        level: 'warning',
        subject: facts.ref,
        message: `vulnerabilities not checked: ${result.unsupported}`,
      });
    }
  }
  if (options.configChecks !== false) for (const item of checkImage(facts)) findings.push(item);
  return { facts, findings, diagnostics, ...(unsupported === undefined ? {} : { unsupported }) };
}

/** The JSON "artifact" block of a scan report (documented in docs/scan.md). */
export function describeArtifact(facts: ImageFacts): Readonly<Record<string, unknown>> {
  const os =
    facts.os.prettyName ??
    `${facts.os.id}${facts.os.versionId === undefined ? '' : ` ${facts.os.versionId}`}`;
  const layers =
    facts.source === 'rootfs'
      ? 'root filesystem'
      : `${facts.layers.length} layer${facts.layers.length === 1 ? '' : 's'}`;
  return {
    summary: `${facts.ref}${facts.id === undefined ? '' : ` (${facts.id.slice(7, 19)})`}: ${os}, ${facts.packages.length} packages, ${layers}`,
    source: facts.source,
    ref: facts.ref,
    ...(facts.id === undefined ? {} : { id: facts.id }),
    ...(facts.digest === undefined ? {} : { digest: facts.digest }),
    ...(facts.architecture === undefined ? {} : { architecture: facts.architecture }),
    os: facts.os,
    layers: facts.layers,
    packages: facts.packages.map((p) => ({
      format: p.format,
      name: p.name,
      version: p.version,
      ...(p.arch === undefined ? {} : { arch: p.arch }),
      sourceName: p.sourceName,
      sourceVersion: p.sourceVersion,
      ...(p.layer === undefined ? {} : { layer: p.layer.index }),
      database: p.database,
    })),
  };
}

export interface HostScanResult extends ScanResult {
  /** The running kernel's missing fixes (unknown with the reason when it cannot be judged). */
  readonly kernel: Known<KernelVulnerabilities>;
}

/** One finding per CVE the running kernel lacks: fixed after a reboot, or fixed in a package not installed. */
export function kernelFindings(ref: string, kernel: KernelVulnerabilities): Finding[] {
  return kernel.missing.map((m) => {
    const when =
      m.state === 'fixed-after-reboot'
        ? `fixed after reboot: ${m.installedFix ?? 'a fixed kernel'} is installed but not running`
        : m.state === 'not-installed'
          ? `fixed in ${kernel.package} ${m.fixedVersion}, which is not installed`
          : `fixed in ${kernel.package} ${m.fixedVersion}`;
    return {
      ruleId: m.cve,
      aliases: m.advisory === m.cve ? [] : [m.advisory],
      severity:
        m.severity === 'critical' || m.severity === 'high' || m.severity === 'low' || m.severity === 'info'
          ? m.severity
          : 'medium',
      title: `${m.cve} in the running kernel`,
      message: `the running kernel (${kernel.kernel}) is affected by ${m.cve}; ${when}.`,
      outcome: { kind: 'fail' },
      evidence: [
        { source: kernel.versionSource, value: kernel.runningVersion, expected: `>= ${m.fixedVersion}` },
      ],
      target: {
        kind: 'package',
        image: ref,
        name: `${kernel.package} (running kernel)`,
        version: kernel.runningVersion,
        sourceName: kernel.package,
        sourceVersion: kernel.runningVersion,
        ecosystem: kernel.ecosystem,
      },
      remediation:
        m.state === 'fixed-after-reboot'
          ? 'Reboot into the installed kernel (or load a live patch covering the CVE).'
          : `Install ${kernel.package} ${m.fixedVersion} or later and reboot into it.`,
      references: [],
      vulnerability: { id: m.cve, fixedVersion: m.fixedVersion, status: 'fixed', source: m.advisory },
    };
  });
}

/**
 * `bulkhead scan host`: the host's root filesystem (like rootfs:ROOT) plus the kernel that is running, so one
 * command answers "what on this host is vulnerable right now".
 */
export async function scanHost(root: string, options: ScanOptions): Promise<HostScanResult> {
  const result = await scanImage(`rootfs:${root}`, options);
  const host = collectHostFacts({ root });
  const kernel = computeKernelVulnerabilities(
    host.facts,
    options.db ?? 'no vulnerability database (--skip-db): the running kernel is not judged',
  );
  const findings = [...result.findings];
  const diagnostics = [...result.diagnostics];
  if (kernel.state === 'known') findings.unshift(...kernelFindings(result.facts.ref, kernel.value));
  else
    diagnostics.push({
      level: 'warning',
      subject: `${root} running kernel`,
      message: `running kernel not judged: ${kernel.reason}`,
    });
  return { ...result, findings, diagnostics, kernel };
}

export interface ScanRunOptions extends ReadImageOptions {
  /** The vulnerability database file; undefined runs image-configuration checks only (--skip-db). */
  readonly dbPath: string | undefined;
  readonly configChecks?: boolean;
  /** Report only these severities (--severity). */
  readonly severities?: readonly Severity[] | undefined;
  /** Hide vulnerabilities without a fixed version (--ignore-unfixed). */
  readonly ignoreUnfixed?: boolean;
  /** Parsed ignore rules (src/collect/ignore-file.ts). */
  readonly ignore?: IgnoreRules | undefined;
  /** Host root for the target "host" (default "/"). */
  readonly root?: string | undefined;
  readonly now?: Date;
}

export interface ScanRun {
  readonly report: Report;
  readonly facts: ImageFacts;
}

/** The whole scan: database, image (or host), detector, rules, filters, Report. */
export async function runScan(target: string, options: ScanRunOptions): Promise<ScanRun> {
  const db =
    options.dbPath === undefined
      ? undefined
      : openVulnDb(options.dbPath, {
          missingHint:
            'run `bulkhead db update` (or `bulkhead db import FILE|DIR` offline), pass --db PATH, or scan image configuration only with --skip-db',
        });
  try {
    // "host": the root filesystem at `root` plus the running kernel
    const result =
      target === 'host'
        ? await scanHost(options.root ?? '/', { ...options, db })
        : await scanImage(target, { ...options, db });
    const filtered = applyScanFilters(result.findings, {
      ...(options.severities === undefined ? {} : { severities: options.severities }),
      ignoreUnfixed: options.ignoreUnfixed === true,
      ...(options.ignore === undefined ? {} : { ignore: options.ignore }),
      ...(options.now === undefined ? {} : { now: options.now }),
    });
    const report = createReport({
      command: 'scan',
      subjects: [result.facts.ref],
      findings: filtered.findings,
      rules: IMAGE_RULES.map((r) => r.meta),
      diagnostics: [...result.diagnostics, ...filtered.diagnostics],
      artifact: { ...describeArtifact(result.facts), ignored: filtered.ignored.length },
      ...(options.now === undefined ? {} : { now: options.now }),
    });
    return { report, facts: result.facts };
  } finally {
    db?.close();
  }
}
