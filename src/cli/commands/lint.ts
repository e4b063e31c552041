// `bulkhead lint [FILES/GLOBS...]`: lints Dockerfiles (hadolint DL and Trivy DS checks plus bulkhead's security
// rules), renders the report grouped by file. Exit 0 clean, 1 findings at/above --fail-on (default: info, i.e. any
// finding, as hadolint does), 2 on a usage error, an unreadable file or an invalid config.
import type { Command } from 'commander';
import {
  BULKHEAD_CONFIG_NAMES,
  EMPTY_CONFIG,
  findLintConfig,
  loadLintConfig,
  mergeConfig,
  type FoundConfig,
} from '../../lint/config.js';
import { runLint } from '../../lint/run.js';
import { EXIT_ERROR, EXIT_OK, type CommandRunner } from '../io.js';
import { addReportOptions, emitReport, exitCodeFor, readReportFlags } from '../options.js';

interface LintFlags {
  readonly config?: string;
  readonly trustedRegistry: string[];
  readonly ignore: string[];
  readonly shellcheck?: boolean;
}

const collect = (value: string, previous: string[]): string[] => [
  ...previous,
  ...value
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== ''),
];

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin)
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks);
}

export function registerLint(program: Command, run: (runner: CommandRunner) => Promise<void>): void {
  const command = program
    .command('lint')
    .description('lint Dockerfiles: security rules plus hadolint (DL) and Trivy (DS) checks')
    .argument(
      '[files...]',
      'Dockerfiles, directories or globs ("**/*.Dockerfile"); - reads stdin (default: ./Dockerfile)',
    )
    .option(
      '-c, --config <file>',
      `YAML/JSON config: ignore, severity, trustedRegistries, labelSchema, failOn (default: ./${BULKHEAD_CONFIG_NAMES[0]}, else .hadolint.yaml where hadolint looks; hadolint keys accepted)`,
    )
    .option(
      '--trusted-registry <registry>',
      'allow base images only from this registry (repeatable, comma-separated)',
      collect,
      [],
    )
    .option(
      '--ignore <id>',
      'do not report this rule id or alias, e.g. DL3008 (repeatable, comma-separated)',
      collect,
      [],
    )
    .option('--shellcheck', 'also run ShellCheck on RUN scripts (needs the shellcheck binary)')
    .option('--no-shellcheck', 'do not run ShellCheck even if the config enables it');
  addReportOptions(command, { failOn: 'info' }).action(
    (files: string[], flags: LintFlags & Record<string, unknown>) =>
      run(async (io) => {
        const cliFlags = readReportFlags(flags, io);
        const found: FoundConfig | undefined =
          flags.config === undefined
            ? findLintConfig(io.cwd, io.env)
            : { path: flags.config, source: 'flag' };
        // Say which config file is in force when it was found rather than named (stderr: stdout holds the report).
        if (found !== undefined && found.source !== 'flag')
          io.stderr(`bulkhead lint: using config ${found.path} (${found.source})\n`);
        const base = found === undefined ? EMPTY_CONFIG : loadLintConfig(found.path);
        const config = mergeConfig(base, { ignore: flags.ignore, trustedRegistries: flags.trustedRegistry });
        for (const note of config.notes) io.stderr(`bulkhead lint: ${found?.path ?? 'config'}: ${note}\n`);
        // flags win over the config file; the config wins over the defaults
        const fromCli = (name: string): boolean => command.getOptionValueSource(name) === 'cli';
        const failOn = fromCli('failOn') ? cliFlags.failOn : (config.failOn ?? cliFlags.failOn);
        const reportFlags = {
          ...cliFlags,
          format:
            fromCli('format') || flags['json'] === true
              ? cliFlags.format
              : (config.format ?? cliFlags.format),
          color: config.color === false ? false : cliFlags.color,
        };
        const { report, unreadable } = await runLint({
          targets: files,
          cwd: io.cwd,
          config,
          shellcheck: flags.shellcheck ?? config.shellcheck ?? false,
          readStdin,
        });
        emitReport(report, { ...reportFlags, failOn }, io, {
          groupBy: (f) => ({ heading: f.target.kind === 'file' ? f.target.path : 'other', rank: 0 }),
        });
        if (unreadable > 0) {
          for (const d of report.diagnostics.filter((x) => x.level === 'error'))
            io.stderr(`bulkhead: ${d.message}\n`);
          return EXIT_ERROR;
        }
        if (config.noFail && !fromCli('failOn')) return EXIT_OK;
        return exitCodeFor(report, failOn);
      }),
  );
}
