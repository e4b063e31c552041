// Placeholder registration for `bulkhead audit`; replaced by the issue that builds it.
import type { Command } from 'commander';
import type { CommandRunner } from '../main.js';

export function registerAudit(program: Command, _run: (runner: CommandRunner) => Promise<void>): void {
  program.command('audit').description('(not built yet)');
}
