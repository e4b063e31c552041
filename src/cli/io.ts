// The CLI's window on the world: output streams and environment, injectable so tests can run commands in-process.
export interface CliIO {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Whether stdout is a terminal (colour, progress bars). */
  readonly isTTY: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

export function processIO(): CliIO {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    isTTY: process.stdout.isTTY,
    env: process.env,
    cwd: process.cwd(),
  };
}

/** Exit codes (DESIGN.md): 0 clean, 1 findings at or above --fail-on, 2 usage or runtime error. */
/** A command's action: resolves to the exit code it wants (commands/* get it from here, not from main.ts). */
export type CommandRunner = (io: CliIO) => Promise<number>;

export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_ERROR = 2;
