// Builds the lint model from Dockerfile text. dockerfile-ast finds the instructions and splits their words, flags,
// properties and heredocs; each of those is read once into a plain record (AstInstruction) and everything after reads
// only that record. BuildKit's rules where dockerfile-ast differs are applied here: line continuations and comment
// lines inside them, heredoc bodies, exec (JSON) form, flags on every instruction, ARG substitution in FROM
// (https://docs.docker.com/reference/dockerfile/, moby/buildkit frontend/dockerfile/parser).
import {
  Arg,
  DockerfileParser,
  Env,
  type Argument,
  Label,
  ModifiableInstruction,
  Onbuild,
  type Instruction,
} from 'dockerfile-ast';
import type {
  DockerfileComment,
  DockerfileModel,
  ExpansionOverflow,
  HeredocBody,
  InstructionFlag,
  LintInstruction,
  ParseProblem,
  Property,
  ShellKind,
  SourcePosition,
  Stage,
} from './model.js';
import { parseShell, POSIX_SHELLS, type ShellScript } from './shell.js';

interface Range0 {
  readonly start: { readonly line: number; readonly character: number };
  readonly end: { readonly line: number; readonly character: number };
}

class SourceText {
  readonly lineStarts: number[] = [0];
  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i += 1) if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
  }
  offsetOf(pos: { line: number; character: number }): number {
    return (this.lineStarts[pos.line] ?? this.text.length) + pos.character;
  }
  positionOf(offset: number): SourcePosition {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.lineStarts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (this.lineStarts[lo] ?? 0) + 1 };
  }
}

/** Text of an instruction with continuations joined, and the source offset of every character of it. */
interface JoinedText {
  readonly text: string;
  readonly offsets: readonly number[];
}

const BLANK_OR_COMMENT = /^[ \t]*(#.*)?$/;

/**
 * Joins continuation lines the way BuildKit does: an escape character at the end of a line (trailing blanks allowed)
 * removes itself and the newline; blank lines and `#` comment lines inside the continuation are dropped. With a
 * heredoc, only the first line is continued and the bodies follow verbatim.
 */
function joinContinuations(
  src: SourceText,
  start: number,
  end: number,
  escape: string,
  heredoc: boolean,
): JoinedText {
  const text = src.text;
  let out = '';
  const offsets: number[] = [];
  let pos = start;
  let continuing = false;
  while (pos < end) {
    let lineEnd = text.indexOf('\n', pos);
    if (lineEnd === -1 || lineEnd > end) lineEnd = end;
    let line = text.slice(pos, lineEnd);
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (continuing && BLANK_OR_COMMENT.test(line)) {
      pos = lineEnd + 1;
      continue;
    }
    const trimmed = line.replace(/[ \t]+$/, '');
    if (trimmed.endsWith(escape) && !trimmed.endsWith(escape + escape)) {
      const keep = trimmed.length - 1;
      for (let i = 0; i < keep; i += 1) offsets.push(pos + i);
      out += line.slice(0, keep);
      continuing = true;
      pos = lineEnd + 1;
      continue;
    }
    for (let i = 0; i < line.length; i += 1) offsets.push(pos + i);
    out += line;
    if (heredoc && lineEnd < end) {
      // Heredoc bodies are taken verbatim, newlines included.
      for (let i = lineEnd; i < end; i += 1) offsets.push(i);
      out += text.slice(lineEnd, end);
    }
    break;
  }
  if (!heredoc) {
    // BuildKit trims trailing whitespace left by a continuation at the end of the instruction.
    const trimmed = out.replace(/\s+$/, '');
    return { text: trimmed, offsets: offsets.slice(0, trimmed.length) };
  }
  return { text: out, offsets };
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

/** BuildKit treats the arguments as exec form when they parse as a JSON array of strings. */
function parseExecForm(text: string): string[] | null {
  const trimmed = text.trim();
  if (!trimmed.startsWith('[')) return null;
  try {
    const parsed: unknown = JSON.parse(trimmed);
    return isStringArray(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

const VARIABLE = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+]|##?|%%?)([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/** Strips one level of quotes from the word of `${VAR:-"word"}` as the shell does. */
function unquoteSimple(word: string): string {
  return word.replace(/^"(.*)"$/s, '$1').replace(/^'(.*)'$/s, '$1');
}

/** Glob to RegExp for `${VAR#pattern}`-style trimming (only `*` and `?` are special). */
function trimPattern(pattern: string, anchor: 'start' | 'end', greedy: boolean): RegExp {
  const body = unquoteSimple(pattern)
    .split('')
    .map((c) =>
      c === '*' ? (greedy ? '.*' : '.*?') : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'),
    )
    .join('');
  return anchor === 'start' ? new RegExp(`^${body}`, 's') : new RegExp(`${body}$`, 's');
}

/**
 * Substitutes `$NAME`, `${NAME}`, `${NAME:-word}`, `${NAME:+word}` and `${NAME#pattern}`-style trims from `vars`, as
 * BuildKit's shell lexer does. Unknown names, and values that themselves still hold an unresolved variable (such as
 * BuildKit's automatic TARGETPLATFORM), stay as written so callers can tell the result is not known.
 */
export function substituteVariables(
  text: string,
  vars: ReadonlyMap<string, string | null>,
  onOverflow?: (limit: number) => void,
): string {
  // Chained ARGs double at each line (`ARG B=$A$A`): 26 lines of 549 bytes once reached 2.4 GB. An expansion past
  // the cap is left as written, so later uses stay unresolved, and the caller is told.
  const budget = { total: text.length, overflow: false };
  const expanded = text.replace(
    VARIABLE,
    (
      whole: string,
      braced: string | undefined,
      op: string | undefined,
      word: string | undefined,
      bare: string | undefined,
    ) => capped(substituteOne(whole, braced, op, word, bare), whole),
  );
  function substituteOne(
    whole: string,
    braced: string | undefined,
    op: string | undefined,
    word: string | undefined,
    bare: string | undefined,
  ): string {
    const name = braced ?? bare ?? '';
    const value = vars.get(name);
    const defined = value !== undefined && value !== null;
    if (defined && /\$\{?[A-Za-z_]/.test(value)) return whole;
    const w = unquoteSimple(word ?? '');
    switch (op) {
      case ':-':
        return defined && value !== '' ? value : w;
      case '-':
        return defined ? value : w;
      case ':+':
        return defined && value !== '' ? w : '';
      case '+':
        return defined ? w : '';
      case '#':
      case '##':
        return defined ? value.replace(trimPattern(word ?? '', 'start', op === '##'), '') : whole;
      case '%':
      case '%%':
        return defined ? value.replace(trimPattern(word ?? '', 'end', op === '%%'), '') : whole;
      case undefined:
      default:
        return defined ? value : whole;
    }
  }
  return budget.overflow ? text : expanded;

  function capped(piece: string, whole: string): string {
    if (budget.overflow) return '';
    budget.total += piece.length - whole.length;
    if (budget.total <= MAX_EXPANSION_CHARS) return piece;
    budget.overflow = true;
    onOverflow?.(MAX_EXPANSION_CHARS);
    return '';
  }
}

/** Longest text a variable substitution may produce (BuildKit has no cap; a real Dockerfile never comes close). */
export const MAX_EXPANSION_CHARS = 64 * 1024;

const WINDOWS_IMAGE =
  /(^|[/:-])(windows|nanoserver|servercore|windowsservercore)|mcr\.microsoft\.com\/(windows|powershell|dotnet\/framework)/i;

function shellKindOf(args: readonly string[]): ShellKind {
  const program =
    (args[0] ?? '')
      .split(/[\\/]/)
      .pop()
      ?.toLowerCase()
      .replace(/\.exe$/, '') ?? '';
  if (program === 'powershell' || program === 'pwsh') return 'powershell';
  if (program === 'cmd') return 'cmd';
  if (POSIX_SHELLS.has(program)) return 'posix';
  return 'other';
}

interface StageState {
  kind: ShellKind;
  args: readonly string[];
  vars: Map<string, string>;
}

/**
 * dockerfile-ast treats a line ending in an escaped escape character (`path\\\\`) as a continuation; BuildKit does not.
 * Such pairs are masked with placeholders of the same length before dockerfile-ast sees the text, and put back in
 * every value read from it.
 */
const MASK = '\u0001';
const ESCAPED_ESCAPE_AT_EOL = /((?:\\\\)+)([ \t]*)$/gm;
const ESCAPED_BACKTICK_AT_EOL = /((?:``)+)([ \t]*)$/gm;

function maskEscapedEscapes(text: string, escape: string): string {
  const pattern = escape === '`' ? ESCAPED_BACKTICK_AT_EOL : ESCAPED_ESCAPE_AT_EOL;
  return text.replace(pattern, (whole: string, pairs: string, blanks: string, offset: number) => {
    // Only when the run of escapes is not itself preceded by another escape (odd count = a real continuation).
    if (offset > 0 && text[offset - 1] === escape) return whole;
    return MASK.repeat(pairs.length) + blanks;
  });
}

let restoreEscape = '\\';
function restore(value: string): string {
  return value.includes(MASK) ? value.replaceAll(MASK, restoreEscape) : value;
}
function restoreOrNull(value: string | null): string | null {
  return value === null ? null : restore(value);
}

/** One argument word as dockerfile-ast splits it (quotes kept), with the source offset of its first character. */
interface AstArgument {
  readonly value: string;
  readonly start: number;
  readonly end: number;
}

/**
 * One instruction as read from dockerfile-ast, right after parsing, in one pass. dockerfile-ast computes every value
 * on demand and re-tokenizes the instruction's text on each call (`getArguments`, `getFlags`, `getImage`,
 * `getBuildStage` and `getHeredocs` each start over), so each getter is called at most once per instruction here and
 * everything after this record reads only the record — never the syntax tree.
 */
interface AstInstruction {
  /** Upper-cased keyword. */
  readonly keyword: string;
  readonly start: number;
  readonly end: number;
  /** Arguments after the flags dockerfile-ast recognised. */
  readonly args: readonly AstArgument[];
  readonly flags: readonly InstructionFlag[];
  readonly properties: readonly Property[];
  readonly heredocs: readonly HeredocBody[];
  /** The trigger of ONBUILD. */
  readonly trigger: AstInstruction | null;
}

function readArguments(args: readonly Argument[], src: SourceText): AstArgument[] {
  return args.map((a) => {
    const range = a.getRange();
    return { value: a.getValue(), start: src.offsetOf(range.start), end: src.offsetOf(range.end) };
  });
}

function readFlags(instruction: ModifiableInstruction, src: SourceText): InstructionFlag[] {
  // `--` only ends the flags (BuildKit drops it).
  return instruction
    .getFlags()
    .filter((flag) => flag.getName() !== '' || flag.getValue() !== null)
    .map((flag) => {
      const pos = src.positionOf(src.offsetOf(flag.getRange().start));
      return {
        name: restore(flag.getName()),
        value: restoreOrNull(flag.getValue()),
        line: pos.line,
        column: pos.column,
      };
    });
}

function readProperties(instruction: Env | Arg | Label, src: SourceText): Property[] {
  return instruction.getProperties().map((p) => {
    const pos = src.positionOf(src.offsetOf(p.getNameRange().start));
    const raw = p.getValue();
    return {
      // dockerfile-ast's getValue() is the dispatched value (quotes and escapes removed); getUnescapedValue() is raw.
      name: restore(p.getName()),
      value: raw === null ? null : restore(raw),
      line: pos.line,
      column: pos.column,
    };
  });
}

/** Instructions that take heredocs (BuildKit's `heredocDirectives`). */
const HEREDOC_KEYWORDS: ReadonlySet<string> = new Set(['RUN', 'COPY', 'ADD']);

function readHeredocs(instruction: Instruction, src: SourceText): HeredocBody[] {
  // getHeredocs is public on Run and Copy and protected on the base class (ADD uses it there).
  const withHeredocs = instruction as unknown as {
    getHeredocs?: () => { getName: () => string; getContentRange: () => Range0 | null }[];
  };
  if (typeof withHeredocs.getHeredocs !== 'function') return [];
  return withHeredocs.getHeredocs().map((h) => {
    const range = h.getContentRange();
    if (range === null) return { name: h.getName(), content: '', line: 0 };
    const start = src.offsetOf(range.start);
    return {
      name: h.getName(),
      content: src.text.slice(start, src.offsetOf(range.end)),
      line: range.start.line + 1,
    };
  });
}

/** Reads one dockerfile-ast instruction into an AstInstruction (each getter once; see AstInstruction). */
function readInstruction(instruction: Instruction, src: SourceText): AstInstruction {
  const range = instruction.getRange();
  const keyword = instruction.getKeyword().toUpperCase();
  // A ModifiableInstruction's getArguments() computes its flags on the way (getFlags() then answers from its cache).
  const args = readArguments(instruction.getArguments(), src);
  const flags = instruction instanceof ModifiableInstruction ? readFlags(instruction, src) : [];
  const properties =
    instruction instanceof Env || instruction instanceof Arg || instruction instanceof Label
      ? readProperties(instruction, src)
      : [];
  // dockerfile-ast finds heredocs only from a `<<NAME` argument; without one, getHeredocs would re-tokenize for nothing.
  const heredocs =
    HEREDOC_KEYWORDS.has(keyword) && args.some((a) => a.value.startsWith('<<'))
      ? readHeredocs(instruction, src)
      : [];
  let trigger: AstInstruction | null = null;
  if (instruction instanceof Onbuild) {
    const inner = instruction.getTriggerInstruction();
    if (inner !== null) trigger = readInstruction(inner, src);
  }
  return {
    keyword,
    start: src.offsetOf(range.start),
    end: src.offsetOf(range.end),
    args,
    flags,
    properties,
    heredocs,
    trigger,
  };
}

/** FROM's image, `AS` name and `--platform` flag, as dockerfile-ast's From getters define them. */
function readFrom(
  node: AstInstruction,
  src: SourceText,
): { image: string; stage: string | null; platform: string | null } {
  const [image, as, stage] = node.args;
  const platform = node.flags.length === 1 && node.flags[0]?.name === 'platform' ? node.flags[0].value : null;
  return {
    image: restore(image?.value ?? ''),
    // getBuildStage() is the stage word as written in the source.
    stage:
      as !== undefined && stage !== undefined && as.value.toUpperCase() === 'AS'
        ? src.text.slice(stage.start, stage.end)
        : null,
    platform,
  };
}

const ONLY_HEREDOC = /^\s*<<-?\s*(["']?)([A-Za-z0-9_.-]+)\1\s*$/;

function buildInstruction(
  node: AstInstruction,
  src: SourceText,
  escape: string,
  stageIndex: number,
  shell: StageState | null,
  onbuild: boolean,
): LintInstruction {
  const { keyword, heredocs } = node;
  const flags = [...node.flags];
  let argsRanges = node.args;
  if (flags.length === 0 && keyword !== 'ONBUILD') {
    // BuildKit reads leading `--flag` words on every instruction (dispatch then rejects unknown ones); dockerfile-ast
    // only does so for instructions that take flags.
    let i = 0;
    for (; i < argsRanges.length; i += 1) {
      const arg = argsRanges[i];
      if (arg?.value.startsWith('--') !== true) break;
      if (arg.value === '--') {
        i += 1;
        break;
      }
      const pos = src.positionOf(arg.start);
      const eq = arg.value.indexOf('=');
      flags.push({
        name: eq === -1 ? arg.value.slice(2) : arg.value.slice(2, eq),
        value: eq === -1 ? null : arg.value.slice(eq + 1),
        line: pos.line,
        column: pos.column,
      });
    }
    argsRanges = argsRanges.slice(i);
  }
  const endOffset = node.end;
  const startOffset = argsRanges[0]?.start ?? endOffset;
  const joined = joinContinuations(src, startOffset, endOffset, escape, heredocs.length > 0);
  const start = src.positionOf(node.start);
  const end = src.positionOf(endOffset);
  const execForm = ['RUN', 'CMD', 'ENTRYPOINT', 'SHELL', 'COPY', 'ADD', 'VOLUME'].includes(keyword)
    ? parseExecForm(joined.text)
    : null;

  let script: JoinedText | null = null;
  if (['RUN', 'CMD', 'ENTRYPOINT'].includes(keyword) && execForm === null && shell?.kind === 'posix') {
    script = joined;
    const firstLine = joined.text.split('\n', 1)[0] ?? '';
    const body = heredocs[0];
    if (body !== undefined && ONLY_HEREDOC.test(firstLine)) {
      // `RUN <<EOF` runs the body as a script; a shebang for another interpreter means it is not shell.
      const shebang = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(body.content);
      const interpreter =
        shebang === null
          ? 'sh'
          : shebang[1]?.endsWith('/env') === true
            ? (shebang[2] ?? '')
            : (shebang[1] ?? '');
      const bodyStart = src.lineStarts[body.line - 1] ?? 0;
      script = POSIX_SHELLS.has(interpreter.split('/').pop() ?? '')
        ? {
            text: body.content,
            offsets: Array.from({ length: body.content.length }, (_, i) => bodyStart + i),
          }
        : null;
    }
  }
  const parsed: ShellScript | null =
    script === null || script.text.trim() === '' ? null : parseShell(script.text);
  const scriptText = script;
  const scriptPosition = (line: number, column: number): SourcePosition => {
    if (scriptText === null) return start;
    let index = 0;
    for (let l = 1; l < line; l += 1) {
      const next = scriptText.text.indexOf('\n', index);
      if (next === -1) break;
      index = next + 1;
    }
    // mvdan/sh columns count bytes; convert for lines with multi-byte characters.
    const lineText = scriptText.text.slice(
      index,
      !scriptText.text.includes('\n', index) ? undefined : scriptText.text.indexOf('\n', index),
    );
    const charCol =
      Buffer.byteLength(lineText, 'utf8') !== lineText.length
        ? Buffer.from(lineText, 'utf8')
            .subarray(0, column - 1)
            .toString('utf8').length
        : column - 1;
    const offset = scriptText.offsets[Math.min(index + charCol, scriptText.offsets.length - 1)];
    return offset === undefined ? start : src.positionOf(offset);
  };

  const trigger =
    node.trigger === null ? null : buildInstruction(node.trigger, src, escape, stageIndex, shell, true);

  return {
    keyword,
    line: start.line,
    column: start.column,
    endLine: end.line,
    endColumn: end.column,
    args: argsRanges.map((a) => restore(a.value)),
    text: joined.text,
    flags,
    execForm,
    properties: node.properties,
    heredocs,
    stageIndex,
    onbuild,
    trigger,
    shell: parsed,
    scriptPosition,
  };
}

/**
 * `FROM buildkit-$TARGETOS` names one of several stages depending on an automatic platform ARG. When an unresolved
 * image matches earlier stage names, it is a stage reference; the Linux candidate (or the first) stands in for it.
 */
function stageByPattern(stages: readonly Stage[], image: string): Stage | null {
  if (!/\$\{?[A-Za-z_]/.test(image)) return null;
  const pattern = new RegExp(
    `^${image
      .split(/\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*/)
      .map((part) => part.replace(/[.+^${}()|[\]\\*?]/g, '\\$&'))
      .join('.+')}$`,
  );
  const candidates = stages.filter((s) => s.name !== null && pattern.test(s.name));
  return candidates.find((s) => s.name?.includes('linux') === true) ?? candidates[0] ?? null;
}

/** What SHELL, ARG and ENV change for the instructions after them in the same stage. */
function applyToState(
  instruction: LintInstruction,
  state: StageState,
  globalArgs: ReadonlyMap<string, string | null>,
  problems: ParseProblem[],
  overflows: ExpansionOverflow[],
): void {
  const { keyword } = instruction;
  if (keyword === 'SHELL' && instruction.execForm !== null && instruction.execForm.length > 0) {
    state.args = instruction.execForm;
    state.kind = shellKindOf(instruction.execForm);
  } else if (keyword === 'ARG') {
    for (const p of instruction.properties) {
      const value = p.value ?? globalArgs.get(p.name) ?? null;
      if (value !== null)
        state.vars.set(
          p.name,
          substituteVariables(value, state.vars, (limit) =>
            overflows.push({ keyword: 'ARG', name: p.name, line: p.line, column: p.column, limit }),
          ),
        );
    }
  } else if (keyword === 'ENV') {
    if (instruction.properties.length === 0)
      problems.push({
        line: instruction.line,
        column: instruction.column,
        message: 'ENV needs a name and a value',
      });
    for (const p of instruction.properties) {
      if (p.value === null)
        problems.push({ line: p.line, column: p.column, message: `ENV ${p.name} has no value` });
      state.vars.set(
        p.name,
        substituteVariables(p.value ?? '', state.vars, (limit) =>
          overflows.push({ keyword: 'ENV', name: p.name, line: p.line, column: p.column, limit }),
        ),
      );
    }
  }
}

/** Parses Dockerfile text into the lint model. Never throws on malformed input: problems are collected instead. */
export function parseDockerfile(source: string, path: string): DockerfileModel {
  // A UTF-8 byte order mark would otherwise become part of the first keyword.
  const text = source.startsWith('\uFEFF') ? source.slice(1) : source;
  const src = new SourceText(text);
  const probe = /^\s*#\s*escape\s*=\s*`/im.test(text.slice(0, 2000)) ? '`' : '\\';
  const masked = maskEscapedEscapes(text, probe);
  const dockerfile = DockerfileParser.parse(masked);
  const escape = dockerfile.getEscapeCharacter() === '`' ? '`' : '\\';
  restoreEscape = escape;
  const directives = new Map<string, string>();
  /** dockerfile-ast accepts `# hadolint global ignore=X` as a directive; BuildKit's grammar (`# name=value`, name a
   * single word) does not, so such lines stay comments. */
  const directiveComments: DockerfileComment[] = [];
  for (const d of dockerfile.getDirectives()) {
    const line = d.getRange().start.line;
    const raw = text.slice(src.lineStarts[line] ?? 0, src.lineStarts[line + 1] ?? text.length).trim();
    if (/^#\s*[a-zA-Z][a-zA-Z0-9]*\s*=/.test(raw)) directives.set(d.getName().toLowerCase(), d.getValue());
    else directiveComments.push({ line: line + 1, text: raw.replace(/^#/, '').trim() });
  }

  const globalArgs = new Map<string, string | null>();
  const problems: ParseProblem[] = [];
  const overflows: ExpansionOverflow[] = [];
  const instructions: LintInstruction[] = [];
  const stages: Stage[] = [];
  let fragment: { state: StageState; instructions: LintInstruction[] } | null = null;
  let current: {
    from: LintInstruction;
    instructions: LintInstruction[];
    state: StageState;
    parent: Stage | null;
    windows: boolean;
    image: string;
    imageRaw: string;
    name: string | null;
    platform: string | null;
  } | null = null;

  const closeStage = (): void => {
    if (current === null) return;
    stages.push({
      index: stages.length,
      name: current.name,
      from: current.from,
      imageRaw: current.imageRaw,
      image: current.image,
      parent: current.parent,
      platform: current.platform,
      windows: current.windows,
      instructions: current.instructions,
      variables: current.state.vars,
      shellKind: current.state.kind,
      shellArgs: current.state.args,
    });
    current = null;
  };

  const nodes = dockerfile.getInstructions().map((instruction) => readInstruction(instruction, src));
  for (const node of nodes) {
    const { keyword } = node;
    if (keyword === 'FROM') {
      closeStage();
      const fromParts = readFrom(node, src);
      const imageRaw = fromParts.image;
      // BuildKit's shell lexer removes quotes from the FROM word (jenkins writes `FROM debian:"${RELEASE}"`).
      const image = substituteVariables(imageRaw, globalArgs).replace(/["']/g, '');
      const stageName = fromParts.stage?.toLowerCase() ?? null;
      const lowered = image.toLowerCase();
      const parent =
        stages.find((s) => s.name === lowered) ??
        (/^\d+$/.test(image) ? (stages[Number(image)] ?? null) : null) ??
        stageByPattern(stages, lowered);
      const platformFlag = fromParts.platform;
      const platform = platformFlag === null ? null : substituteVariables(platformFlag, globalArgs);
      const windows =
        parent?.windows ??
        (WINDOWS_IMAGE.test(image) || (platform?.toLowerCase().startsWith('windows') ?? false));
      const state: StageState =
        parent === null
          ? {
              kind: windows ? 'cmd' : 'posix',
              args: windows ? ['cmd', '/S', '/C'] : ['/bin/sh', '-c'],
              vars: new Map(),
            }
          : { kind: parent.shellKind, args: parent.shellArgs, vars: new Map(parent.variables) };
      const from = buildInstruction(node, src, escape, stages.length, state, false);
      instructions.push(from);
      current = {
        from,
        instructions: [from],
        state,
        parent,
        windows,
        image,
        imageRaw,
        name: stageName,
        platform,
      };
      continue;
    }
    if (current === null) {
      // hadolint lints a fragment (instructions before any FROM, as in its specs and in Dockerfile templates) like
      // a stage run by /bin/sh; the missing FROM is still reported.
      if (keyword !== 'ARG' && fragment === null) {
        const vars = new Map<string, string>();
        for (const [name, value] of globalArgs) if (value !== null) vars.set(name, value);
        fragment = { state: { kind: 'posix', args: ['/bin/sh', '-c'], vars }, instructions: [] };
      }
      const instruction = buildInstruction(node, src, escape, -1, fragment?.state ?? null, false);
      instructions.push(instruction);
      if (keyword === 'ARG') {
        for (const p of instruction.properties)
          globalArgs.set(
            p.name,
            p.value === null
              ? null
              : substituteVariables(p.value, globalArgs, (limit) =>
                  overflows.push({ keyword: 'ARG', name: p.name, line: p.line, column: p.column, limit }),
                ),
          );
      } else {
        problems.push({
          line: instruction.line,
          column: instruction.column,
          message: `${keyword} before the first FROM: only ARG may come before FROM`,
        });
      }
      if (fragment !== null) {
        fragment.instructions.push(instruction);
        applyToState(instruction, fragment.state, globalArgs, problems, overflows);
      }
      continue;
    }
    const state: StageState = current.state;
    const instruction = buildInstruction(node, src, escape, stages.length, state, false);
    instructions.push(instruction);
    current.instructions.push(instruction);
    applyToState(instruction, state, globalArgs, problems, overflows);
  }
  closeStage();
  if (instructions.length === 0) problems.push({ line: 1, column: 1, message: 'file with no instructions' });

  const comments: DockerfileComment[] = [
    ...directiveComments,
    ...dockerfile.getComments().map((c) => ({
      line: c.getRange().start.line + 1,
      text: c.getContent(),
    })),
  ];
  const first = fragment?.instructions[0];
  const fragmentStage: Stage | null =
    fragment === null || first === undefined
      ? null
      : {
          index: -1,
          name: null,
          from: first,
          imageRaw: '',
          image: '',
          parent: null,
          platform: null,
          windows: false,
          instructions: fragment.instructions,
          variables: fragment.state.vars,
          shellKind: fragment.state.kind,
          shellArgs: fragment.state.args,
        };
  return {
    path,
    source: text,
    escape,
    directives,
    globalArgs,
    instructions,
    stages,
    fragment: fragmentStage,
    comments,
    problems,
    expansionOverflows: overflows,
  };
}
