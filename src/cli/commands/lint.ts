// Placeholder registration for `bulkhead lint`; replaced by the issue that builds it.
import type { Command } from 'commander';
import type { CommandRunner } from '../main.js';

export function registerLint(program: Command, _run: (runner: CommandRunner) => Promise<void>): void {
  program.command('lint').description('(not built yet)');
}
