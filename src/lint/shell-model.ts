// The shell command records every lint rule reads (words, commands, pipes, the parsed script) and the interface
// their two producers fill them through — the native parser (shell-native.ts) and the mvdan-sh adapter
// (shell-mvdan.ts) — so that neither producer imports the other or shell.ts, which finishes their records (Dockerfile shell form: https://docs.docker.com/reference/dockerfile/#shell-and-exec-form).

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

/**
 * What a producer (the native parser, the mvdan-sh adapter) fills in while it walks a script: commands in walk order,
 * pipes, the first pipe's position (for pipefail) and the nesting level of compound commands. shell.ts owns the rest
 * of the script state (depth of `sh -c` nesting, engine choice) and turns the records into a ShellScript.
 */
export interface RecordState {
  readonly commands: ShellCommand[];
  readonly pipes: ShellPipe[];
  firstPipe: { readonly line: number; readonly col: number } | undefined;
  compound: number;
}

/** A simple command a producer has pushed to `commands`; `FinishCall` fills in its name, program and arguments. */
export interface OpenCall extends ShellCommand {
  name: string;
  program: string;
  args: readonly ShellWord[];
}

/**
 * Called by a producer for every simple command with its words (program first): names the command and adds its
 * unwrapped forms (`sudo x`, `sh -c '...'`), which is shell.ts's job.
 */
export type FinishCall = (command: OpenCall, words: readonly ShellWord[]) => void;
