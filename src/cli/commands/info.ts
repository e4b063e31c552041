// Placeholder registration for `bulkhead info`; replaced by the issue that builds it.
import type { Command } from 'commander';
import type { CommandRunner } from '../main.js';

export function registerInfo(program: Command, _run: (runner: CommandRunner) => Promise<void>): void {
  program.command('info').description('(not built yet)');
}
