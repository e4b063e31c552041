// The bulkhead command line: builds the commander program, runs one command, maps errors to exit code 2.
import { Command, CommanderError } from 'commander';
import { BulkheadError, describeError } from '../shared/errors.js';
import { TOOL_VERSION } from '../shared/version.js';
import { EXIT_ERROR, EXIT_OK, processIO, type CliIO } from './io.js';

/** A command's action: resolves to the exit code it wants. */
export type CommandRunner = (io: CliIO) => Promise<number>;

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
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError()
    // `watch` and its subcommands share option names (--db, --profiles): a subcommand's options are its own
    .enablePositionalOptions()
    .exitOverride();
  const run = (runner: CommandRunner): Promise<void> => runner(io).then(setExit);
  const registrars = await Promise.all(
    commands.flatMap((name) => COMMANDS[name] ?? []).map((load) => load()),
  );
  for (const register of registrars) register(program, run);
  return program;
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

export async function main(argv: readonly string[]): Promise<never> {
  const code = await runCli(argv);
  // Writes to a pipe are asynchronous: exiting at once truncates a large report at 64 KiB (`bulkhead lint -f json | jq`).
  await new Promise<void>((resolve) => {
    process.stdout.write('', () => {
      resolve();
    });
  });
  process.exit(code);
}
