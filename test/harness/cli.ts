// Runs the bulkhead CLI in-process with captured output, for CLI-level tests.
import { runCli } from '../../src/cli/main.js';
import type { CliIO } from '../../src/cli/io.js';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runBulkhead(
  args: readonly string[],
  options: { env?: Readonly<Record<string, string | undefined>>; cwd?: string } = {},
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    isTTY: false,
    env: options.env ?? process.env,
    cwd: options.cwd ?? process.cwd(),
  };
  const code = await runCli(['node', 'bulkhead', ...args], io);
  return { code, stdout, stderr };
}
