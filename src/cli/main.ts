// The bulkhead command line: builds the commander program, runs one command, maps errors to exit code 2.
import { Command, CommanderError } from 'commander';
import { BulkheadError, describeError } from '../shared/errors.js';
import { TOOL_VERSION } from '../shared/version.js';
import { registerAudit } from './commands/audit.js';
import { registerAuthz } from './commands/authz.js';
import { registerDb } from './commands/db.js';
import { registerInfo } from './commands/info.js';
import { registerLint } from './commands/lint.js';
import { registerScan } from './commands/scan.js';
import { EXIT_ERROR, EXIT_OK, processIO, type CliIO } from './io.js';

/** A command's action: resolves to the exit code it wants. */
export type CommandRunner = (io: CliIO) => Promise<number>;

export function buildProgram(io: CliIO, setExit: (code: number) => void): Command {
  const program = new Command('bulkhead')
    .description('Defense in depth for Docker hosts: audit, scan, lint and authorize.')
    .version(TOOL_VERSION)
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError()
    .exitOverride();
  const run = (runner: CommandRunner): Promise<void> => runner(io).then(setExit);
  registerInfo(program, run);
  registerAudit(program, run);
  registerScan(program, run);
  registerDb(program, run);
  registerLint(program, run);
  registerAuthz(program, run);
  return program;
}

/** Runs the CLI without exiting the process; returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIO = processIO()): Promise<number> {
  let code = EXIT_OK;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  try {
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
