// The parsed Dockerfile model rules read: stages, instructions with resolved ARGs, and parsed shell commands
// (Dockerfile reference: https://docs.docker.com/reference/dockerfile/).
import type { ShellCommand, ShellScript } from './shell.js';

/** A 1-based position in the Dockerfile. */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

export interface SourceRange extends SourcePosition {
  readonly endLine: number;
  readonly endColumn: number;
}

export interface InstructionFlag extends SourcePosition {
  /** Name without dashes ("mount", "from", "platform"). */
  readonly name: string;
  readonly value: string | null;
}

/** A `name=value` pair of ENV, ARG or LABEL. `value` is null for `ARG NAME` with no default. */
export interface Property extends SourcePosition {
  readonly name: string;
  /** Value with quotes and escapes removed. */
  readonly value: string | null;
}

export interface HeredocBody {
  readonly name: string;
  readonly content: string;
  readonly line: number;
}

/** Which interpreter runs the shell form of RUN/CMD/ENTRYPOINT in a stage. */
export type ShellKind = 'posix' | 'powershell' | 'cmd' | 'other';

export interface LintInstruction extends SourceRange {
  /** Upper-case keyword ("RUN"); unknown keywords keep their upper-cased spelling. */
  readonly keyword: string;
  /** Arguments after flags, continuations joined, as dockerfile-ast splits them (quotes kept). */
  readonly args: readonly string[];
  /** The argument text after flags, continuation lines joined and comment lines removed. */
  readonly text: string;
  readonly flags: readonly InstructionFlag[];
  /** Exec (JSON) form arguments, or null for the shell form. */
  readonly execForm: readonly string[] | null;
  readonly properties: readonly Property[];
  readonly heredocs: readonly HeredocBody[];
  /** Index of the stage, or -1 for ARGs before the first FROM. */
  readonly stageIndex: number;
  /** True for the trigger of an ONBUILD instruction. */
  readonly onbuild: boolean;
  /** The trigger of an ONBUILD instruction. */
  readonly trigger: LintInstruction | null;
  /** Parsed shell script of a shell-form RUN/CMD/ENTRYPOINT run by a POSIX shell; null otherwise. */
  readonly shell: ShellScript | null;
  /** Maps a 1-based line/column of the shell script to the Dockerfile. */
  readonly scriptPosition: (line: number, column: number) => SourcePosition;
}

export interface Stage {
  readonly index: number;
  /** `AS name`, lower-cased as BuildKit compares it, or null. */
  readonly name: string | null;
  readonly from: LintInstruction;
  /** Base image as written (`${BASE}`). */
  readonly imageRaw: string;
  /** Base image with build ARG defaults substituted. */
  readonly image: string;
  /** The earlier stage this one builds on (`FROM builder`), if any. */
  readonly parent: Stage | null;
  readonly platform: string | null;
  readonly windows: boolean;
  readonly instructions: readonly LintInstruction[];
  /** Variables (ARG defaults and ENV) visible at the end of the stage, for resolving `$VAR`. */
  readonly variables: ReadonlyMap<string, string>;
  readonly shellKind: ShellKind;
  /** `SHELL ["/bin/bash", "-o", "pipefail", "-c"]` in force at the end of the stage (inherited from parents). */
  readonly shellArgs: readonly string[];
}

export interface DockerfileComment {
  readonly line: number;
  /** Text after `#`, trimmed. */
  readonly text: string;
}

export interface ParseProblem extends SourcePosition {
  readonly message: string;
}

/** An ARG or ENV value whose variable substitution went past the cap (`MAX_EXPANSION_CHARS` in parse.ts). */
export interface ExpansionOverflow extends SourcePosition {
  readonly keyword: 'ARG' | 'ENV';
  readonly name: string;
  /** The cap in characters; the value was kept as written (unexpanded). */
  readonly limit: number;
}

export interface DockerfileModel {
  readonly path: string;
  readonly source: string;
  readonly escape: '\\' | '`';
  readonly directives: ReadonlyMap<string, string>;
  /** ARGs before the first FROM, with their defaults (null when none). */
  readonly globalArgs: ReadonlyMap<string, string | null>;
  /** Every top-level instruction in file order. */
  readonly instructions: readonly LintInstruction[];
  /** Stages, one per FROM (`index` counts FROMs, as `COPY --from=0` does). */
  readonly stages: readonly Stage[];
  /**
   * The instructions before the first FROM other than leading ARGs, when there are any: a fragment or template
   * (hadolint's own specs, docker-library's Dockerfile.template). BuildKit refuses it (see `problems`), but it is
   * linted as a stage of its own (index -1, /bin/sh, no image) as hadolint lints it; `from` is its first instruction.
   */
  readonly fragment: Stage | null;
  readonly comments: readonly DockerfileComment[];
  /** Things BuildKit would refuse (no instructions, instruction before FROM); reported as diagnostics. */
  readonly problems: readonly ParseProblem[];
  /** ARG/ENV values left unexpanded because their expansion went past the cap (reported by BH-DF-074). */
  readonly expansionOverflows: readonly ExpansionOverflow[];
}

/** Every instruction including ONBUILD triggers, in file order. */
export function allInstructions(model: DockerfileModel): LintInstruction[] {
  const out: LintInstruction[] = [];
  for (const instruction of model.instructions) {
    out.push(instruction);
    if (instruction.trigger !== null) out.push(instruction.trigger);
  }
  return out;
}

/** Shell commands of one instruction (empty when it is not shell-parsed or failed to parse). */
export function commandsOf(instruction: LintInstruction): readonly ShellCommand[] {
  return instruction.shell?.kind === 'parsed' ? instruction.shell.commands : [];
}

/** The fragment before the first FROM (if any) and every stage, in file order: what per-stage rules walk. */
export function lintStages(model: DockerfileModel): Stage[] {
  return model.fragment === null ? [...model.stages] : [model.fragment, ...model.stages];
}

/** The last stage; for a fragment with no FROM at all, the fragment. */
export function finalStage(model: DockerfileModel): Stage | undefined {
  return model.stages[model.stages.length - 1] ?? model.fragment ?? undefined;
}
