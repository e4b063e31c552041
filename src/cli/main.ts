// The bulkhead command line: builds the commander program, runs one command, maps errors to exit code 2.
import { Command, CommanderError } from 'commander';
import { BulkheadError, describeError, errnoCode } from '../shared/errors.js';
import { TOOL_VERSION } from '../shared/version.js';
import { EXIT_ERROR, EXIT_OK, processIO, type CliIO, type CommandRunner } from './io.js';

type Registrar = (program: Command, run: (runner: CommandRunner) => Promise<void>) => void;

/**
 * Each command module pulls in heavy dependencies (dockerode, SQLite, the shell parser), so only the invoked
 * command's module is loaded; help and unknown commands load them all.
 */
const COMMANDS: Readonly<Record<string, () => Promise<Registrar>>> = {
  info: async () => (await import('./commands/info.js')).registerInfo,
  audit: async () => (await import('./commands/audit.js')).registerAudit,
  scan: async () => (await import('./commands/scan.js')).registerScan,
  db: async () => (await import('./commands/db.js')).registerDb,
  lint: async () => (await import('./commands/lint.js')).registerLint,
  authz: async () => (await import('./commands/authz.js')).registerAuthz,
  watch: async () => (await import('./commands/watch.js')).registerWatch,
  server: async () => (await import('./commands/server.js')).registerServer,
  agent: async () => (await import('./commands/agent.js')).registerAgent,
};

/** The commands an argv needs: the first non-option word, none for a bare --version, else all. */
export function commandsFor(argv: readonly string[]): string[] {
  const args = argv.slice(2);
  const name = args.find((arg) => !arg.startsWith('-'));
  if (name !== undefined && name in COMMANDS) return [name];
  if (name === undefined && args.length > 0 && args.every((arg) => arg === '--version' || arg === '-V'))
    return [];
  return Object.keys(COMMANDS);
}

export async function buildProgram(
  io: CliIO,
  setExit: (code: number) => void,
  commands: readonly string[] = Object.keys(COMMANDS),
): Promise<Command> {
  const program = new Command('bulkhead')
    .description('Defense in depth for Docker hosts: audit, scan, lint and authorize.')
    .version(TOOL_VERSION)
    // `watch` and its subcommands share option names (--db, --profiles): a subcommand's options are its own
    .enablePositionalOptions()
    .exitOverride();
  const run = (runner: CommandRunner): Promise<void> => runner(io).then(setExit);
  const registrars = await Promise.all(
    commands.flatMap((name) => COMMANDS[name] ?? []).map((load) => load()),
  );
  for (const register of registrars) register(program, run);
  program.addHelpText('after', helpFooter(undefined));
  for (const command of program.commands) {
    command.addHelpText('after', helpFooter(command.name()));
    configure(command, io);
  }
  configure(program, io);
  return program;
}

/** A usage error is one line, `bulkhead: <what>`, and a hint where to look (never the whole help). */
function configure(command: Command, io: CliIO): void {
  command.configureOutput({
    writeOut: io.stdout,
    writeErr: io.stderr,
    outputError: (text, write) => {
      const message = text
        .trim()
        .replace(/^error: /, '')
        .replace(/\s*\n\s*/g, ' ');
      const path = commandPath(command);
      write(`bulkhead: ${message}\n  fix: see \`${path} --help\`\n`);
    },
  });
  for (const sub of command.commands) configure(sub, io);
}

function commandPath(command: Command): string {
  const names: string[] = [];
  for (let at: Command | null = command; at !== null; at = at.parent) names.unshift(at.name());
  return names.join(' ');
}

const EXAMPLES: Readonly<Record<string, readonly string[]>> = {
  '': [
    'bulkhead audit                       # this host, its daemon and containers',
    'bulkhead audit --host tcp://docker.example:2376 --fail-on high',
    'bulkhead scan alpine:3.19            # an engine image, a tar, an OCI layout or rootfs:DIR',
    'bulkhead lint Dockerfile',
  ],
  audit: [
    'bulkhead audit',
    'bulkhead audit --host unix:///run/user/1000/docker.sock --fail-on high',
    'bulkhead audit --root /mnt/host -f json -o audit.json',
  ],
  scan: [
    'bulkhead db update && bulkhead scan alpine:3.19',
    'bulkhead scan image.tar --fail-on critical',
    'bulkhead scan oci:./layout --platform linux/arm64 -f sarif -o scan.sarif',
    'bulkhead scan rootfs:/ --list-packages',
  ],
  lint: ['bulkhead lint Dockerfile', 'bulkhead lint "**/Dockerfile*" --fail-on medium -f sarif'],
  db: [
    'bulkhead db update',
    'bulkhead db update --only debian',
    'bulkhead db import ./feeds/',
    'bulkhead db status',
  ],
  info: ['bulkhead info', 'bulkhead info --host tcp://10.0.0.5:2376 --json'],
  authz: [
    'bulkhead authz actions',
    'bulkhead authz test examples/authz/policy.yaml examples/authz/cases.yaml',
  ],
};

/** Examples and exit codes, after the generated option list. */
function helpFooter(name: string | undefined): string {
  const examples = EXAMPLES[name ?? ''] ?? [];
  const exits =
    name === undefined || ['audit', 'scan', 'lint'].includes(name)
      ? [
          '0  clean: nothing failed at or above --fail-on (without --fail-on, findings alone never fail)',
          '1  a finding at or above --fail-on',
          '2  usage error, or the input could not be read completely (engine down, unread package database)',
        ]
      : ['0  success', '2  usage or runtime error'];
  return [
    '',
    ...(examples.length === 0 ? [] : ['Examples:', ...examples.map((e) => `  $ ${e}`), '']),
    'Exit codes:',
    ...exits.map((e) => `  ${e}`),
  ].join('\n');
}

/** Runs the CLI without exiting the process; returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIO = processIO()): Promise<number> {
  let code = EXIT_OK;
  try {
    const program = await buildProgram(
      io,
      (c) => {
        code = c;
      },
      commandsFor(argv),
    );
    await program.parseAsync([...argv]);
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // help and --version exit 0 through commander; everything else is a usage error
      return error.exitCode === 0 ? EXIT_OK : EXIT_ERROR;
    }
    io.stderr(`bulkhead: ${describeError(error)}\n`);
    if (
      !(error instanceof BulkheadError) &&
      io.env['BULKHEAD_DEBUG'] !== undefined &&
      error instanceof Error
    ) {
      io.stderr(`${error.stack ?? ''}\n`);
    }
    return EXIT_ERROR;
  }
}

/**
 * A reader that stops early (`| head`, `| less` then q) closes the pipe: the next write fails with EPIPE. That is the
 * reader's choice, not an error: end at once and quietly, as cat and grep do, instead of a stack trace.
 */
function endQuietlyOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (error: unknown) => {
    if (errnoCode(error) === 'EPIPE') process.exit(EXIT_OK);
    throw error;
  });
}

export async function main(argv: readonly string[]): Promise<never> {
  endQuietlyOnClosedPipe(process.stdout);
  endQuietlyOnClosedPipe(process.stderr);
  const code = await runCli(argv);
  // Writes to a pipe are asynchronous: exiting at once truncates a large report at 64 KiB (`bulkhead lint -f json | jq`).
  await new Promise<void>((resolve) => {
    process.stdout.write('', () => {
      resolve();
    });
  });
  process.exit(code);
}
