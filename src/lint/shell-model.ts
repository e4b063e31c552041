// The shell command records every lint rule reads (words, commands, pipes, the parsed script), shared by both
// producers — the native parser (shell-native.ts) and the mvdan-sh walk (shell.ts) — so neither imports the other
// for its types (Dockerfile shell form: https://docs.docker.com/reference/dockerfile/#shell-and-exec-form).

/** One word of a command line. `text` is the word with quotes removed and expansions kept as written ("$HOME"). */
export interface ShellWord {
  readonly text: string;
  /** True when the word has no expansion at all: its text is exactly what the program receives. */
  readonly literal: boolean;
  /** 1-based line and column inside the script text. */
  readonly line: number;
  readonly column: number;
}

export interface ShellCommand {
  /** Program name as written ("apt-get", "/usr/bin/curl"); "" when the name is not literal. */
  readonly name: string;
  /** Basename of `name` ("curl" for "/usr/bin/curl"). */
  readonly program: string;
  readonly args: readonly ShellWord[];
  /** Variable assignments before the command (`FOO=1 cmd`), or of `export`/`declare`. */
  readonly assigns: readonly { readonly name: string; readonly value: string }[];
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
  /** The wrapper this invocation was unwrapped from (`sudo apt-get` gives apt-get with wrapper "sudo"). */
  readonly wrapper?: string;
  /** True inside a subshell, `{ }` group, if/while/for/case body or function. */
  readonly compound?: boolean;
  /** Set when this command runs inside `$(...)`, `<(...)` or `sh -c '...'` that is an argument of another command. */
  readonly parent?: ShellCommand;
}

export interface ShellPipe {
  /** Every command on the left side of `|`. */
  readonly left: readonly ShellCommand[];
  /** The commands of the stage right after `|`. */
  readonly right: readonly ShellCommand[];
}

export type ShellScript =
  | {
      readonly kind: 'parsed';
      readonly commands: readonly ShellCommand[];
      readonly pipes: readonly ShellPipe[];
      /** `set -o pipefail` (or `set -eo pipefail`) appears before the first pipe. */
      readonly setsPipefail: boolean;
    }
  | { readonly kind: 'error'; readonly message: string; readonly line: number; readonly column: number };
