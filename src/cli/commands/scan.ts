// Placeholder registration for `bulkhead scan`; replaced by the issue that builds it.
import type { Command } from 'commander';
import type { CommandRunner } from '../main.js';

export function registerScan(program: Command, _run: (runner: CommandRunner) => Promise<void>): void {
  program.command('scan').description('(not built yet)');
}
