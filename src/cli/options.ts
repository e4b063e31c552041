// Flags shared by the reporting commands (audit, scan, lint): --format, --fail-on, --output, --quiet, colour.
import { closeSync, openSync, writeSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { FORMATS, reportChunks, type Format } from '../report/render.js';
import type { Report } from '../shared/report.js';
import type { TableOptions } from '../report/table.js';
import { BulkheadError, errnoCode, UsageError } from '../shared/errors.js';
import { isAtLeast, parseSeverity, SEVERITIES, type Severity } from '../shared/severity.js';
import { EXIT_FINDINGS, EXIT_OK, type CliIO } from './io.js';

export interface ReportFlags {
  readonly format: Format;
  readonly failOn: Severity | undefined;
  readonly output: string | undefined;
  readonly quiet: boolean;
  readonly color: boolean;
}

export function addReportOptions(command: Command, defaults: { failOn?: Severity } = {}): Command {
  return command
    .addOption(new Option('-f, --format <format>', 'output format').choices(FORMATS).default('table'))
    .option('--json', 'same as --format json', false)
    .addOption(
      new Option('--fail-on <severity>', 'exit 1 when a failure at or above this severity is found')
        .choices(SEVERITIES)
        .default(defaults.failOn),
    )
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('-q, --quiet', 'print nothing but the report (no progress, no summary on stderr)', false)
    .option('--no-color', 'disable ANSI colours in the table');
}

/** --host and --root, for the commands that collect host and engine facts (info, audit). */
export function addFactsOptions(command: Command): Command {
  return command
    .option(
      '-H, --host <address>',
      'Docker engine address (default: DOCKER_HOST, else unix:///var/run/docker.sock)',
    )
    .option(
      '--root <dir>',
      'read host facts from this directory instead of / (a fixture tree or a mounted host)',
      '/',
    )
    .option(
      '--db <path>',
      "vulnerability database for the running kernel's CVEs (default: $XDG_CACHE_HOME/bulkhead/vulndb.sqlite)",
    );
}

export function readReportFlags(raw: Record<string, unknown>, io: CliIO): ReportFlags {
  const format = raw['json'] === true ? 'json' : raw['format'];
  if (typeof format !== 'string' || !(FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`unknown --format ${String(format)}`, { hint: `use one of ${FORMATS.join(', ')}` });
  }
  const failOnRaw = raw['failOn'];
  const failOn = typeof failOnRaw === 'string' ? parseSeverity(failOnRaw) : undefined;
  if (typeof failOnRaw === 'string' && failOn === undefined) {
    throw new UsageError(`unknown --fail-on ${failOnRaw}`, { hint: `use one of ${SEVERITIES.join(', ')}` });
  }
  const output = typeof raw['output'] === 'string' ? raw['output'] : undefined;
  const color =
    raw['color'] !== false && io.isTTY && output === undefined && io.env['NO_COLOR'] === undefined;
  return { format: format as Format, failOn, output, quiet: raw['quiet'] === true, color };
}

/** Renders the report where the flags say and returns the exit code --fail-on implies. */
export function emitReport(
  report: Report,
  flags: ReportFlags,
  io: CliIO,
  table: Omit<TableOptions, 'color'> = {},
): number {
  writeReport(reportChunks(report, flags.format, { ...table, color: flags.color }), flags, io);
  return exitCodeFor(report, flags.failOn);
}

function outputError(output: string, error: unknown): BulkheadError {
  const code = errnoCode(error);
  const problem =
    code === 'EISDIR'
      ? 'is a directory'
      : code === 'ENOENT'
        ? 'is in a directory that does not exist'
        : code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
          ? 'is not writable'
          : code === 'ENOSPC'
            ? 'cannot be written: the disk is full'
            : `cannot be written (${code ?? 'error'})`;
  return new BulkheadError('INPUT_UNREADABLE', `--output ${output} ${problem}`, {
    subject: output,
    hint: 'pass a file path in an existing, writable directory (e.g. -o report.json)',
    cause: error,
  });
}

/**
 * Writes a rendered report (one text, or chunks as the streaming renderers give them) to stdout or to --output,
 * chunk by chunk, with an error that names the output path and the problem. Each chunk is written before the next
 * is rendered: files and (on Linux) pipes and terminals take process.stdout's writes synchronously.
 */
export function writeReport(
  text: string | Iterable<string>,
  flags: Pick<ReportFlags, 'output'>,
  io: CliIO,
): void {
  const chunks = typeof text === 'string' ? [text] : text;
  if (flags.output === undefined) {
    for (const chunk of chunks) io.stdout(chunk);
    return;
  }
  let fd: number;
  try {
    fd = openSync(flags.output, 'w');
  } catch (error) {
    throw outputError(flags.output, error);
  }
  try {
    for (const chunk of chunks) {
      try {
        // writeSync may write less than asked (a signal, a full disk about to fail): loop as writeFileSync does
        const bytes = Buffer.from(chunk);
        for (let done = 0; done < bytes.length;) done += writeSync(fd, bytes, done);
      } catch (error) {
        throw outputError(flags.output, error);
      }
    }
  } finally {
    closeSync(fd);
  }
}

export function exitCodeFor(report: Report, failOn: Severity | undefined): number {
  if (failOn === undefined) return EXIT_OK;
  const failing = report.findings.some((f) => f.outcome.kind === 'fail' && isAtLeast(f.severity, failOn));
  return failing ? EXIT_FINDINGS : EXIT_OK;
}
