// `bulkhead scan TARGET`: vulnerability and image-configuration scan of an image (docker-archive, OCI layout, engine
// image, registry image) or a root filesystem. Flags -> runScan (src/scan/index.ts) -> render -> exit code.
import { type Command } from 'commander';
import { findIgnoreFile } from '../../collect/ignore-file.js';
import { renderPackageList } from '../../report/packages.js';
import { UsageError } from '../../shared/errors.js';
import { parseSeverity, type Severity } from '../../shared/severity.js';
import { describeArtifact, runScan } from '../../scan/index.js';
import { defaultDbPath } from '../../vulndb/db.js';
import type { ImageFacts } from '../../image/types.js';
import { EXIT_ERROR, EXIT_OK, type CliIO, type CommandRunner } from '../io.js';
import { addReportOptions, emitReport, readReportFlags, writeReport } from '../options.js';
import { createProgress } from '../progress.js';

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

/** A scan that left a package database unread is not clean, whatever --fail-on says: exit 2 with the reason. */
function incompleteExit(facts: ImageFacts, io: CliIO, code: number): number {
  const reasons = facts.incomplete ?? [];
  if (reasons.length === 0) return code;
  io.stderr(`bulkhead: incomplete scan, not a clean result (exit 2): ${reasons.join('; ')}\n`);
  return EXIT_ERROR;
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
      const listPackages = raw['listPackages'] === true;
      if (listPackages && flags.format === 'html') {
        throw new UsageError('--list-packages prints a package list, not an HTML report', {
          hint: 'use --list-packages with --format table or --format json, or drop it for the HTML report',
        });
      }
      const user = typeof raw['registryUser'] === 'string' ? raw['registryUser'] : undefined;
      const password = io.env['BULKHEAD_REGISTRY_PASSWORD'];
      if (user !== undefined && password === undefined) {
        throw new UsageError('--registry-user needs a password', {
          hint: 'set BULKHEAD_REGISTRY_PASSWORD in the environment',
        });
      }
      // Only long scans talk: nothing in the first second, then at most one line a second.
      const progress = createProgress(io, {
        quiet: flags.quiet,
        offTerminal: 'lines',
        intervalMs: 1000,
        delayMs: 1000,
      });
      const task = progress.task();
      const { report, facts } = await runScan(target, {
        dbPath:
          raw['skipDb'] === true || listPackages
            ? undefined
            : typeof raw['db'] === 'string'
              ? raw['db']
              : defaultDbPath(io.env),
        env: io.env,
        host: typeof raw['host'] === 'string' ? raw['host'] : undefined,
        registryAuth: user === undefined || password === undefined ? undefined : { username: user, password },
        plainHttp: raw['plainHttp'] === true,
        platform: typeof raw['platform'] === 'string' ? raw['platform'] : undefined,
        onProgress: (message) => {
          task.update(message);
        },
        configChecks: raw['configChecks'] !== false && !listPackages,
        severities: parseSeverities(raw['severity']),
        ignoreUnfixed: raw['ignoreUnfixed'] === true,
        ignore: findIgnoreFile(typeof raw['ignoreFile'] === 'string' ? raw['ignoreFile'] : undefined, io.cwd),
        root: typeof raw['root'] === 'string' ? raw['root'] : '/',
      }).finally(() => {
        progress.stop();
      });
      if (listPackages) {
        writeReport(
          renderPackageList(
            facts.packages,
            describeArtifact(facts),
            flags.format === 'html' ? 'table' : flags.format,
          ),
          flags,
          io,
        );
        return incompleteExit(facts, io, EXIT_OK);
      }
      if (!flags.quiet) {
        const incomplete = new Set(facts.incomplete ?? []);
        for (const d of report.diagnostics.filter((x) => x.level === 'error' && !incomplete.has(x.message)))
          io.stderr(`bulkhead: ${d.subject}: ${d.message}\n`);
      }
      return incompleteExit(facts, io, emitReport(report, flags, io));
    }),
  );
}
