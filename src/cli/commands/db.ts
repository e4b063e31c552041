// Placeholder registration for `bulkhead db`; replaced by the issue that builds it.
import type { Command } from 'commander';
import type { CommandRunner } from '../main.js';

export function registerDb(program: Command, _run: (runner: CommandRunner) => Promise<void>): void {
  program.command('db').description('(not built yet)');
}
