// `bulkhead scan TARGET`: vulnerability and image-configuration scan of an image (docker-archive, OCI layout, engine
// image, registry image) or a root filesystem. Flags only: the work is in src/scan, src/image and src/detect.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Command } from 'commander';
import { renderScanTable } from '../../report/scan-table.js';
import { createReport } from '../../shared/report.js';
import { BulkheadError, UsageError } from '../../shared/errors.js';
import { loadIgnoreFile } from '../../collect/ignore-file.js';
import { applyScanFilters, type IgnoreRules } from '../../detect/filter.js';
import { parseSeverity, type Severity } from '../../shared/severity.js';
import { describeArtifact, IMAGE_RULES, scanHost, scanImage } from '../../scan/index.js';
import { defaultDbPath, openVulnDb, type VulnDb } from '../../vulndb/db.js';
import type { ImageFacts } from '../../image/types.js';
import type { CliIO, CommandRunner } from '../io.js';
import { EXIT_ERROR } from '../io.js';
import { addReportOptions, emitReport, exitCodeFor, readReportFlags, writeReport } from '../options.js';

function parseSeverities(raw: unknown): Severity[] | undefined {
  if (typeof raw !== 'string') return undefined;
  const list = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const out: Severity[] = [];
  for (const item of list) {
    const severity = parseSeverity(item);
    if (severity === undefined)
      throw new UsageError(`unknown severity "${item}" in --severity`, {
        hint: 'use a comma-separated list of critical, high, medium, low, info',
      });
    out.push(severity);
  }
  return out;
}

function readIgnoreRules(raw: unknown, io: CliIO): IgnoreRules | undefined {
  if (typeof raw === 'string') return loadIgnoreFile(raw);
  // Like trivy, an ignore file in the current directory applies without a flag.
  for (const name of ['.bulkheadignore.yaml', '.trivyignore']) {
    const path = join(io.cwd, name);
    if (existsSync(path)) return loadIgnoreFile(path);
  }
  return undefined;
}

/** A scan that left a package database unread is not clean, whatever --fail-on says: exit 2 with the reason. */
function incompleteExit(facts: ImageFacts, io: CliIO, code: number): number {
  const reasons = facts.incomplete ?? [];
  if (reasons.length === 0) return code;
  io.stderr(`bulkhead: incomplete scan, not a clean result (exit 2): ${reasons.join('; ')}\n`);
  return EXIT_ERROR;
}

function progress(io: CliIO, quiet: boolean): ((message: string) => void) | undefined {
  if (quiet) return undefined;
  // Only long scans talk: nothing in the first second, then at most one line a second.
  let last = Date.now();
  return (message) => {
    const now = Date.now();
    if (now - last < 1000) return;
    last = now;
    io.stderr(io.isTTY ? `\r\u001b[2K${message}` : `bulkhead: ${message}\n`);
  };
}

export function registerScan(program: Command, run: (runner: CommandRunner) => Promise<void>): void {
  const command = program
    .command('scan')
    .description(
      'Scan an image or root filesystem for vulnerable OS packages and risky configuration. TARGET: a `docker save` tar, an OCI layout (dir or tar), rootfs:DIR, an engine image name or id, docker://REGISTRY/NAME:TAG, or host (the host root filesystem at --root and its running kernel).',
    )
    .argument('<target>', 'image to scan (see description for the forms)')
    .option('--db <path>', 'vulnerability database (default: $XDG_CACHE_HOME/bulkhead/vulndb.sqlite)')
    .option('--skip-db', 'image-configuration checks only: no vulnerability database needed', false)
    .option(
      '--no-config-checks',
      'skip the image-configuration rules (root user, secrets, setuid files, keys)',
    )
    .option('--severity <list>', 'report only these severities (comma-separated)')
    .option('--ignore-unfixed', 'hide vulnerabilities that have no fixed version yet', false)
    .option(
      '--ignore-file <path>',
      'ignore rules (.bulkheadignore.yaml or .trivyignore format; default: either file in the current directory)',
    )
    .option(
      '-H, --host <address>',
      'Docker engine address for engine images (default: DOCKER_HOST or the local socket)',
    )
    .option(
      '--registry-user <name>',
      'registry user name; the password is read from BULKHEAD_REGISTRY_PASSWORD',
    )
    .option('--plain-http', 'talk plain HTTP to the registry (loopback registries always use HTTP)', false)
    .option('--platform <os/arch>', 'platform to pick from a multi-platform image (default linux/amd64)')
    .option('--root <dir>', 'with TARGET "host": the host root filesystem to scan (default /)', '/')
    .option('--list-packages', 'print the installed packages (table or json) instead of findings', false);
  addReportOptions(command);
  command.action((target: string, raw: Record<string, unknown>) =>
    run(async (io) => {
      const flags = readReportFlags(raw, io);
      const severities = parseSeverities(raw['severity']);
      const listPackages = raw['listPackages'] === true;
      const skipDb = raw['skipDb'] === true || listPackages;
      const user = typeof raw['registryUser'] === 'string' ? raw['registryUser'] : undefined;
      const password = io.env['BULKHEAD_REGISTRY_PASSWORD'];
      if (user !== undefined && password === undefined) {
        throw new UsageError('--registry-user needs a password', {
          hint: 'set BULKHEAD_REGISTRY_PASSWORD in the environment',
        });
      }
      const ignore = readIgnoreRules(raw['ignoreFile'], io);
      let db: VulnDb | undefined;
      if (!skipDb) {
        const path = typeof raw['db'] === 'string' ? raw['db'] : defaultDbPath(io.env);
        try {
          db = openVulnDb(path);
        } catch (error) {
          if (error instanceof BulkheadError && error.code === 'DB_MISSING') {
            throw new BulkheadError('DB_MISSING', error.message, {
              subject: path,
              hint: 'run `bulkhead db update` (or `bulkhead db import FILE|DIR` offline), pass --db PATH, or scan image configuration only with --skip-db',
              cause: error,
            });
          }
          throw error;
        }
      }
      try {
        const report = progress(io, flags.quiet);
        const options = {
          env: io.env,
          host: typeof raw['host'] === 'string' ? raw['host'] : undefined,
          registryAuth:
            user === undefined || password === undefined ? undefined : { username: user, password },
          plainHttp: raw['plainHttp'] === true,
          platform: typeof raw['platform'] === 'string' ? raw['platform'] : undefined,
          onProgress: report,
          db,
          configChecks: raw['configChecks'] !== false && !listPackages,
        };
        // "host": the root filesystem at --root plus the running kernel
        const result =
          target === 'host'
            ? await scanHost(typeof raw['root'] === 'string' ? raw['root'] : '/', options)
            : await scanImage(target, options);
        if (report !== undefined && io.isTTY) io.stderr('\r\u001b[2K');
        if (listPackages) {
          const text =
            flags.format === 'json'
              ? `${JSON.stringify(describeArtifact(result.facts), null, 2)}\n`
              : result.facts.packages
                  .map(
                    (p) =>
                      `${p.name}\t${p.version}\t${p.sourceName}\t${p.sourceVersion}\t${p.layer === undefined ? '-' : String(p.layer.index)}\n`,
                  )
                  .join('');
          writeReport(text, flags, io);
          return incompleteExit(result.facts, io, 0);
        }
        const filtered = applyScanFilters(result.findings, {
          ...(severities === undefined ? {} : { severities }),
          ignoreUnfixed: raw['ignoreUnfixed'] === true,
          ...(ignore === undefined ? {} : { ignore }),
        });
        const findings = filtered.findings;
        const scanReport = createReport({
          command: 'scan',
          subjects: [result.facts.ref],
          findings,
          rules: IMAGE_RULES.map((r) => r.meta),
          diagnostics: [...result.diagnostics, ...filtered.diagnostics],
          artifact: { ...describeArtifact(result.facts), ignored: filtered.ignored.length },
        });
        if (!flags.quiet) {
          const incomplete = new Set(result.facts.incomplete ?? []);
          for (const d of result.diagnostics.filter((x) => x.level === 'error' && !incomplete.has(x.message)))
            io.stderr(`bulkhead: ${d.subject}: ${d.message}\n`);
        }
        if (flags.format !== 'table')
          return incompleteExit(result.facts, io, emitReport(scanReport, flags, io));
        const text = renderScanTable(scanReport, { color: flags.color });
        writeReport(text, flags, io);
        return incompleteExit(result.facts, io, exitCodeFor(scanReport, flags.failOn));
      } finally {
        db?.close();
      }
    }),
  );
}
