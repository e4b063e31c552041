// `bulkhead scan` as a library call: read the image (any input), run the vulnerability detector against the
// database and the image-configuration rules, and return findings, diagnostics and a description of the image.
import { detectVulnerabilities } from '../detect/index.js';
import { readImage, type ReadImageOptions } from '../image/index.js';
import type { ImageFacts } from '../image/types.js';
import type { Diagnostic } from '../shared/diagnostic.js';
import type { Finding } from '../shared/finding.js';
import type { VulnDb } from '../vulndb/db.js';
import { checkImage, imageRuleDescriptors } from './rules/index.js';

export { checkImage, imageRuleDescriptors, IMAGE_RULES } from './rules/index.js';

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
    findings.push(...result.findings);
    diagnostics.push(...result.diagnostics);
    if (result.unsupported !== undefined && facts.packages.length > 0) {
      unsupported = result.unsupported;
      diagnostics.push({
        level: 'warning',
        subject: facts.ref,
        message: `vulnerabilities not checked: ${result.unsupported}`,
      });
    }
  }
  if (options.configChecks !== false) findings.push(...checkImage(facts));
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

export { imageRuleDescriptors as scanRuleDescriptors };
