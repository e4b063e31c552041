// Turns the command records of a shell script into the ShellScript rules read: picks the producer (the native parser
// of shell-native.ts for the subset RUN lines use, the mvdan-sh adapter of shell-mvdan.ts for whatever it declines),
// names each simple command, sees through wrappers (`sudo`, `env`, `gosu`) and `sh -c '...'`, decides pipefail, and
// caches parses by text (Dockerfile shell form: https://docs.docker.com/reference/dockerfile/#shell-and-exec-form).
import { mvdanLoaded, parseWithMvdan } from './shell-mvdan.js';
import type { OpenCall, RecordState, ShellCommand, ShellScript, ShellWord } from './shell-model.js';
import { parseNative } from './shell-native.js';

// Callers read the records from here as well as from shell-model.ts.
export type { ShellCommand, ShellPipe, ShellScript, ShellWord } from './shell-model.js';
export { mvdanLoaded };

/** Programs that run another program given as their arguments: rules see through them. */
const WRAPPERS: Readonly<Record<string, { readonly optionsWithValue: readonly string[] }>> = {
  sudo: { optionsWithValue: ['-u', '-g', '-C', '-D', '-h', '-p', '-r', '-t', '-U'] },
  doas: { optionsWithValue: ['-u', '-C'] },
  env: { optionsWithValue: ['-u', '-C', '-S'] },
  nohup: { optionsWithValue: [] },
  time: { optionsWithValue: ['-f', '-o'] },
  exec: { optionsWithValue: ['-a'] },
  command: { optionsWithValue: [] },
  nice: { optionsWithValue: ['-n'] },
  xargs: { optionsWithValue: ['-I', '-n', '-P', '-L', '-s', '-d', '-E', '-a'] },
  'su-exec': { optionsWithValue: [] },
  gosu: { optionsWithValue: [] },
  chroot: { optionsWithValue: [] },
};

/** Shells whose `-c SCRIPT` argument is itself shell code. */
export const POSIX_SHELLS: ReadonlySet<string> = new Set([
  'sh',
  'bash',
  'dash',
  'ash',
  'zsh',
  'ksh',
  'mksh',
  'busybox',
]);

/**
 * The records of one script while it is parsed (filled by a producer through RecordState) plus what finishing needs:
 * where the first `set -o pipefail` is, how deep in `sh -c` nesting this script is, and which producer nested
 * scripts go through.
 */
interface ScriptState extends RecordState {
  pipefail: { readonly line: number; readonly col: number } | undefined;
  readonly depth: number;
  readonly engine: ShellEngine;
}

/** Cross-compilation wrappers (tonistiigi/xx) that take the same arguments as the tool they wrap. */
const PROGRAM_ALIASES: Readonly<Record<string, string>> = {
  'xx-apt-get': 'apt-get',
  'xx-apt': 'apt',
  'xx-apk': 'apk',
};

function basename(name: string): string {
  const slash = name.lastIndexOf('/');
  const base = slash === -1 ? name : name.slice(slash + 1);
  return PROGRAM_ALIASES[base] ?? base;
}

/** Names a simple command from its words (already pushed to `state.commands`) and adds its unwrapped forms. */
function finishCall(state: ScriptState, command: OpenCall, words: readonly ShellWord[]): void {
  const [first, ...rest] = words;
  if (first === undefined) {
    // Assignment-only statement (`FOO=bar`): keep it for rules that read variables.
    return;
  }
  command.name = first.literal ? first.text : '';
  command.program = basename(command.name);
  command.args = rest;
  expandWrapped(state, command, rest);
  expandShellC(state, command, rest);
}

/** `sudo -u x apt-get install y` also yields `apt-get install y` with wrapper "sudo". */
function expandWrapped(
  state: ScriptState,
  command: ShellCommand,
  args: readonly ShellWord[],
  depth = 0,
): void {
  const wrapper = WRAPPERS[command.program];
  if (wrapper === undefined || depth > 3) return;
  let i = 0;
  while (i < args.length) {
    const arg = args[i];
    if (arg === undefined) break;
    if (arg.text === '--') {
      i += 1;
      break;
    }
    if (command.program === 'env' && /^[A-Za-z_][A-Za-z0-9_]*=/.test(arg.text)) {
      i += 1;
      continue;
    }
    if (!arg.text.startsWith('-') || arg.text === '-') break;
    i += wrapper.optionsWithValue.includes(arg.text) ? 2 : 1;
  }
  // gosu/su-exec/chroot take a user or directory before the program.
  if (['gosu', 'su-exec', 'chroot'].includes(command.program)) i += 1;
  const inner = args[i];
  if (!inner?.literal) return;
  const unwrapped: ShellCommand = {
    name: inner.text,
    program: basename(inner.text),
    args: args.slice(i + 1),
    line: inner.line,
    column: inner.column,
    endLine: command.endLine,
    endColumn: command.endColumn,
    assigns: command.assigns,
    ...(command.compound === true ? { compound: true } : {}),
    ...(command.parent === undefined ? {} : { parent: command.parent }),
    wrapper: command.program,
  };
  state.commands.push(unwrapped);
  expandWrapped(state, unwrapped, unwrapped.args, depth + 1);
  expandShellC(state, unwrapped, unwrapped.args);
}

/** `sh -c 'curl x | sh'` parses the literal script too; its commands carry the `sh` command as parent. */
function expandShellC(state: ScriptState, command: ShellCommand, args: readonly ShellWord[]): void {
  if (!POSIX_SHELLS.has(command.program) || state.depth > 2) return;
  const index = args.findIndex((a) => /^-[a-z]*c[a-z]*$/.test(a.text));
  const script = index === -1 ? undefined : args[index + 1];
  if (script === undefined || script.text.includes('$(…)')) return;
  const inner = parseScriptInto(script.text, state.depth + 1, command, state.engine);
  if (inner.kind !== 'parsed') return;
  for (const c of inner.commands)
    state.commands.push({
      ...c,
      line: script.line,
      column: script.column,
      endLine: script.line,
      endColumn: script.column,
    });
  for (const p of inner.pipes) state.pipes.push(p);
}

/** `mvdan`: mvdan-sh only (the reference); `auto`: the native parser, mvdan-sh when it declines. */
export type ShellEngine = 'auto' | 'mvdan';

function newState(depth: number, engine: ShellEngine): ScriptState {
  return { compound: 0, commands: [], pipes: [], firstPipe: undefined, pipefail: undefined, depth, engine };
}

/** Counts of top-level scripts the native parser handled and declined (benchmarks and the differential test report them). */
export const nativeStats = { handled: 0, declined: 0 };

function parseScriptInto(
  script: string,
  depth: number,
  parent: ShellCommand | undefined,
  engine: ShellEngine,
): ShellScript {
  const finish = (state: ScriptState): ((command: OpenCall, words: readonly ShellWord[]) => void) => {
    return (command, words) => {
      finishCall(state, command, words);
    };
  };
  if (engine === 'auto') {
    const native = newState(depth, engine);
    const done = parseNative(script, native, parent, finish(native));
    if (depth === 0) nativeStats[done ? 'handled' : 'declined'] += 1;
    if (done) return finishScript(native);
  }
  const state = newState(depth, engine);
  const failure = parseWithMvdan(script, state, parent, finish(state));
  return failure ?? finishScript(state);
}

function finishScript(state: ScriptState): ShellScript {
  for (const c of state.commands) {
    if (c.program === 'set' && state.pipefail === undefined && setsPipefail(c))
      state.pipefail = { line: c.line, col: c.column };
  }
  const { firstPipe, pipefail } = state;
  const before =
    pipefail !== undefined &&
    (firstPipe === undefined ||
      pipefail.line < firstPipe.line ||
      (pipefail.line === firstPipe.line && pipefail.col < firstPipe.col));
  return { kind: 'parsed', commands: state.commands, pipes: state.pipes, setsPipefail: before };
}

function setsPipefail(command: ShellCommand): boolean {
  const args = command.args.map((a) => a.text);
  return args.some((a, i) => /^-[a-z]*o$/.test(a) && args[i + 1] === 'pipefail');
}

const cache = new Map<string, ShellScript>();
let defaultEngine: ShellEngine = 'auto';

/** Selects the engine `parseShell` uses (benchmarks time mvdan-sh alone with 'mvdan'); clears the cache. */
export function setShellEngine(engine: ShellEngine): void {
  defaultEngine = engine;
  cache.clear();
}

const CACHE_LIMIT = 5000;

/** Parses a shell script (Bash grammar, a superset of POSIX sh). Results are cached by text: identical RUN lines across files parse once. */
export function parseShell(script: string): ShellScript {
  const hit = cache.get(script);
  if (hit !== undefined) return hit;
  const result = parseScriptInto(script, 0, undefined, defaultEngine);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(script, result);
  return result;
}

/** Empties the parse cache (benchmarks measure uncached parsing with it). */
export function clearShellCache(): void {
  cache.clear();
}

/** Parses without the cache, with the given engine (the differential test compares `auto` with `mvdan`). */
export function parseShellWith(script: string, engine: ShellEngine): ShellScript {
  return parseScriptInto(script, 0, undefined, engine);
}

/** True when the native parser handles `script` itself (no mvdan-sh fallback at the top level). */
export function nativeHandles(script: string): boolean {
  const state = newState(0, 'auto');
  return parseNative(script, state, undefined, (command, words) => {
    finishCall(state, command, words);
  });
}

/** Script texts currently in the parse cache (the differential test collects the corpus's scripts with it). */
export function cachedShellScripts(): string[] {
  return [...cache.keys()];
}
