// Small readers shared by lint rules: instruction filters, command-line option checks and image reference parsing.
import {
  allInstructions,
  commandsOf,
  finalStage,
  type DockerfileModel,
  type LintInstruction,
  type Stage,
} from './model.js';
import type { ShellCommand } from './shell.js';
import { parseImageRef, type NamedImageRef } from '../shared/image-ref.js';

/** Every RUN, including ONBUILD RUN triggers. */
export function runInstructions(model: DockerfileModel): LintInstruction[] {
  return allInstructions(model).filter((i) => i.keyword === 'RUN');
}

/** Every shell command of every RUN, with its instruction. */
export function runCommands(
  model: DockerfileModel,
): { instruction: LintInstruction; command: ShellCommand }[] {
  const out: { instruction: LintInstruction; command: ShellCommand }[] = [];
  for (const instruction of runInstructions(model))
    for (const command of commandsOf(instruction)) out.push({ instruction, command });
  return out;
}

/**
 * Sources and destination of a COPY or ADD, in exec or shell form; undefined for any other instruction and for
 * heredoc copies, whose sources are inline documents rather than paths.
 */
export function copyOperands(
  instruction: LintInstruction,
  escape: string,
): { sources: string[]; dest: string } | undefined {
  if ((instruction.keyword !== 'COPY' && instruction.keyword !== 'ADD') || instruction.heredocs.length > 0)
    return undefined;
  const args = instruction.execForm ?? splitWords(instruction.text, escape);
  return { sources: args.slice(0, -1), dest: args[args.length - 1] ?? '' };
}

/**
 * Splits shell-form COPY/ADD arguments into words as BuildKit's word lexer does: whitespace separates words outside
 * quotes, quotes are removed, single quotes are literal, inside double quotes the escape character only escapes
 * `"`, `$` and itself, and outside quotes it escapes any character (`COPY a\ b /x/` copies "a b").
 */
export function splitWords(text: string, escape: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i] ?? '';
    if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      continue;
    }
    inWord = true;
    if (ch === escape) {
      i += 1;
      word += text[i] ?? '';
    } else if (ch === "'") {
      const end = text.indexOf("'", i + 1);
      const stop = end === -1 ? text.length : end;
      word += text.slice(i + 1, stop);
      i = stop;
    } else if (ch === '"') {
      for (i += 1; i < text.length && text[i] !== '"'; i += 1) {
        const c = text[i] ?? '';
        if (c === escape && ['"', '$', escape].includes(text[i + 1] ?? '')) {
          i += 1;
          word += text[i] ?? '';
        } else word += c;
      }
    } else word += ch;
  }
  if (inWord) words.push(word);
  return words;
}

export function argTexts(command: ShellCommand): string[] {
  return command.args.map((a) => a.text);
}

/**
 * True when a command has a long option (`--insecure`, `--opt=value`) or a short letter, also inside combined short
 * options (`-fsSkL`). Letters in `valueLetters` take a value, so the rest of that word is not scanned.
 */
export function hasOption(
  command: ShellCommand,
  options: { long?: readonly string[]; short?: readonly string[]; valueLetters?: string },
): boolean {
  const long = options.long ?? [];
  const short = options.short ?? [];
  for (const arg of command.args) {
    const t = arg.text;
    if (t === '--') return false;
    if (t.startsWith('--')) {
      const name = t.split('=', 1)[0] ?? t;
      if (long.includes(name)) return true;
      continue;
    }
    if (t.startsWith('-') && t.length > 1 && !/^-\d/.test(t)) {
      for (const letter of t.slice(1)) {
        if (short.includes(letter)) return true;
        if (options.valueLetters?.includes(letter) === true) break;
      }
    }
  }
  return false;
}

/** Value of `--name=value` or `--name value` (last one wins); undefined when absent. */
export function optionValue(command: ShellCommand, names: readonly string[]): string | undefined {
  let value: string | undefined;
  const args = argTexts(command);
  args.forEach((t, i) => {
    for (const name of names) {
      if (t === name) value = args[i + 1] ?? '';
      else if (t.startsWith(`${name}=`)) value = t.slice(name.length + 1);
    }
  });
  return value;
}

/** Arguments that are not options; `withValue` lists options that consume the next word. */
export function positionals(command: ShellCommand, withValue: readonly string[] = []): string[] {
  const out: string[] = [];
  const args = argTexts(command);
  for (let i = 0; i < args.length; i += 1) {
    const t = args[i] ?? '';
    if (t === '--') {
      out.push(...args.slice(i + 1));
      break;
    }
    if (t.startsWith('-') && t !== '-') {
      if (withValue.includes(t)) i += 1;
      continue;
    }
    out.push(t);
  }
  return out;
}

/** apt-get/apk/yum style subcommand: the first positional argument. */
export function subcommandOf(command: ShellCommand, withValue: readonly string[] = []): string | undefined {
  return positionals(command, withValue)[0];
}

/** The base image of an external stage, parsed by the one parser; undefined when Docker would reject it. */
export function stageImageRef(stage: Stage): NamedImageRef | undefined {
  const ref = parseImageRef(stage.image);
  return ref.kind === 'named' ? ref : undefined;
}

/** True when the stage's FROM names an image from a registry (not an earlier stage, not scratch). */
export function isExternalImage(stage: Stage): boolean {
  return stage.parent === null && stage.image.toLowerCase() !== 'scratch';
}

/** True when the base image still contains an unresolved variable (ARG without default). */
export function hasUnresolvedVariable(text: string): boolean {
  return /\$\{?[A-Za-z_]/.test(text);
}

/**
 * Stages whose layers end up in the built image: the final stage and every stage it builds on (`FROM base`).
 * Cache rules check these, plus ONBUILD triggers (they run in the image built FROM this one); a builder stage that
 * is only copied from does not ship its caches.
 */
export function shippedStages(model: DockerfileModel): Set<number> {
  const out = new Set<number>();
  for (let s = finalStage(model) ?? null; s !== null; s = s.parent) out.add(s.index);
  return out;
}

/** True when the instruction's layer ships in the image (see shippedStages). */
export function ships(instruction: LintInstruction, shipped: ReadonlySet<number>): boolean {
  return instruction.onbuild || shipped.has(instruction.stageIndex);
}

/** The target of a `--mount=type=cache|tmpfs,target=...` flag value, or '' for any other mount. */
export function cacheMountTarget(value: string): string {
  const parts = value.split(',');
  const type = parts.find((p) => p.startsWith('type='))?.slice(5) ?? 'bind';
  if (type !== 'cache' && type !== 'tmpfs') return '';
  return (parts.find((p) => /^(target|dst|destination)=/.test(p))?.replace(/^[a-z]+=/, '') ?? '').replace(
    /\/+$/,
    '',
  );
}

/** The stage an instruction belongs to. */
export function stageOf(model: DockerfileModel, instruction: LintInstruction): Stage | undefined {
  return instruction.stageIndex === -1 ? (model.fragment ?? undefined) : model.stages[instruction.stageIndex];
}

/** Programs (by basename) used anywhere in RUN commands. */
export function usesProgram(model: DockerfileModel, program: string): boolean {
  return runCommands(model).some(({ command }) => command.program === program);
}
