// Placeholder registration for `bulkhead authz`; replaced by the issue that builds it.
import type { Command } from 'commander';
import type { CommandRunner } from '../main.js';

export function registerAuthz(program: Command, _run: (runner: CommandRunner) => Promise<void>): void {
  program.command('authz').description('(not built yet)');
}
