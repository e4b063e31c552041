// The mvdan-sh adapter: parses a shell script with mvdan/sh (POSIX + Bash grammar; the GopherJS build in the mvdan-sh
// package, loaded on first need) and walks its syntax tree into the command records of shell-model.ts. It is the only
// file that knows mvdan-sh's internal object layout (see below for why it reads internals at all).
import { createRequire } from 'node:module';
import type { FinishCall, RecordState, ShellCommand, ShellScript, ShellWord } from './shell-model.js';

// mvdan-sh is a GopherJS build of mvdan/sh with no type declarations: everything it returns is `unknown` and read
// through the narrow accessors below.
type GoNode = Record<string, unknown>;

interface Syntax {
  NewParser: (...options: unknown[]) => { Parse: (src: string, name: string) => unknown };
  KeepComments: (keep: boolean) => unknown;
  Variant: (lang: unknown) => unknown;
  LangBash: unknown;
}

let cachedSyntax: Syntax | undefined;
let cachedParser: { Parse: (src: string, name: string) => unknown } | undefined;

function loadSyntax(): Syntax {
  if (cachedSyntax === undefined) {
    const require = createRequire(import.meta.url);
    const mod = require('mvdan-sh') as { syntax: Syntax };
    cachedSyntax = mod.syntax;
  }
  return cachedSyntax;
}

function parser(): { Parse: (src: string, name: string) => unknown } {
  if (cachedParser === undefined) {
    const syntax = loadSyntax();
    cachedParser = syntax.NewParser(syntax.KeepComments(false), syntax.Variant(syntax.LangBash));
  }
  return cachedParser;
}

/*
 * The walk reads GopherJS's internal Go values (the `__internal_object__` behind each exported wrapper) instead of the
 * exported JavaScript view: the exported getters copy every slice and wrap every struct on each access, which made
 * walking the syntax tree cost several times the parse itself. Internally, a pointer to a struct is a plain object
 * whose constructor carries the Go type name ("*syntax.CallExpr") and a `nil` sentinel; a slice is
 * `{ $array, $offset, $length }`; strings and numbers are plain JavaScript values; nil interfaces have no Go type.
 * mvdan-sh 0.10.1 is the last release of the package, so this layout does not move under us; the tests parse real
 * scripts through it, so a layout change would fail loudly.
 */
interface GoType {
  readonly string?: unknown;
  readonly nil?: unknown;
}

function isObject(value: unknown): value is GoNode {
  return typeof value === 'object' && value !== null;
}

/** A non-nil internal Go pointer/struct value. */
function isNode(value: unknown): value is GoNode {
  if (!isObject(value)) return false;
  const type = value.constructor as GoType | undefined;
  return typeof type?.string === 'string' && type.nil !== value;
}

/** Go type name without package ("CallExpr"). */
function nodeType(node: GoNode): string {
  const name = (node.constructor as GoType).string;
  if (typeof name !== 'string') return '';
  const dot = name.lastIndexOf('.');
  return dot === -1 ? name : name.slice(dot + 1);
}

/** Elements of a Go slice. */
function nodes(value: unknown): GoNode[] {
  if (!isObject(value)) return [];
  const array = value['$array'];
  const offset = value['$offset'];
  const length = value['$length'];
  if (!Array.isArray(array) || typeof offset !== 'number' || typeof length !== 'number') return [];
  const out: GoNode[] = [];
  for (let i = offset; i < offset + length; i += 1) {
    const element: unknown = array[i];
    if (isNode(element)) out.push(element);
  }
  return out;
}

function child(node: GoNode, key: string): GoNode | undefined {
  const value = node[key];
  return isNode(value) ? value : undefined;
}

/** The Go value behind an exported GopherJS wrapper. */
function internal(value: unknown): GoNode | undefined {
  if (!isObject(value)) return undefined;
  const inner = value['__internal_object__'];
  return isNode(inner) ? inner : undefined;
}

function text(node: GoNode | undefined, key: string): string {
  const value = node?.[key];
  return typeof value === 'string' ? value : '';
}

interface Pos {
  readonly line: number;
  readonly col: number;
}

function callPos(node: GoNode, method: 'Pos' | 'End'): Pos {
  const fn = node[method];
  if (typeof fn !== 'function') return { line: 1, col: 1 };
  const pos: unknown = (fn as () => unknown).call(node);
  if (!isObject(pos)) return { line: 1, col: 1 };
  const line = typeof pos['Line'] === 'function' ? Number((pos['Line'] as () => unknown).call(pos)) : 1;
  const col = typeof pos['Col'] === 'function' ? Number((pos['Col'] as () => unknown).call(pos)) : 1;
  return {
    line: Number.isFinite(line) && line > 0 ? line : 1,
    col: Number.isFinite(col) && col > 0 ? col : 1,
  };
}

interface WalkState extends RecordState {
  readonly pipeOps: ReadonlySet<unknown>;
  readonly finish: FinishCall;
}

/** Text of a word with quotes removed; expansions are kept in their written form ("$VAR", "$(...)"). */
function wordText(
  state: WalkState,
  word: GoNode,
  parent: ShellCommand | undefined,
): { text: string; literal: boolean } {
  // Fast path: Word.Lit() answers in Go for fully literal words (most arguments), without crossing into JS per part.
  const lit = word['Lit'];
  if (typeof lit === 'function') {
    const value: unknown = (lit as () => unknown).call(word);
    if (typeof value === 'string' && value !== '') return { text: value, literal: true };
  }
  let out = '';
  let literal = true;
  const visitParts = (parts: GoNode[]): void => {
    for (const part of parts) {
      const type = nodeType(part);
      switch (type) {
        case 'Lit':
          out += text(part, 'Value');
          break;
        case 'SglQuoted':
          out += text(part, 'Value');
          break;
        case 'DblQuoted':
          visitParts(nodes(part['Parts']));
          break;
        case 'ParamExp': {
          literal = false;
          out += `$${text(child(part, 'Param'), 'Value')}`;
          break;
        }
        case 'CmdSubst':
        case 'ProcSubst':
          literal = false;
          out += '$(…)';
          collectStmts(state, nodes(part['Stmts']), parent);
          break;
        default:
          literal = false;
          out += '…';
      }
    }
  };
  visitParts(nodes(word['Parts']));
  return { text: out, literal };
}

function collectStmts(state: WalkState, stmts: GoNode[], parent: ShellCommand | undefined): void {
  for (const stmt of stmts) collectStmt(state, stmt, parent);
}

function collectStmt(state: WalkState, stmt: GoNode, parent: ShellCommand | undefined): void {
  const cmd = child(stmt, 'Cmd');
  if (cmd !== undefined) collectCommand(state, cmd, parent);
  for (const redirect of nodes(stmt['Redirs'])) {
    const word = child(redirect, 'Word');
    if (word !== undefined) wordText(state, word, parent);
  }
}

function commandsIn(state: WalkState, node: GoNode, parent: ShellCommand | undefined): ShellCommand[] {
  const before = state.commands.length;
  collectStmt(state, node, parent);
  return state.commands.slice(before);
}

const COMPOUND = new Set(['IfClause', 'WhileClause', 'ForClause', 'CaseClause', 'FuncDecl']);

function collectCommand(state: WalkState, cmd: GoNode, parent: ShellCommand | undefined): void {
  const type = nodeType(cmd);
  if (COMPOUND.has(type)) {
    state.compound += 1;
    try {
      collectCompound(state, cmd, type, parent);
    } finally {
      state.compound -= 1;
    }
    return;
  }
  collectCompound(state, cmd, type, parent);
}

function collectCompound(
  state: WalkState,
  cmd: GoNode,
  type: string,
  parent: ShellCommand | undefined,
): void {
  switch (type) {
    case 'CallExpr':
      collectCall(state, cmd, parent);
      return;
    case 'BinaryCmd': {
      const x = child(cmd, 'X');
      const y = child(cmd, 'Y');
      const opPos = callPos(cmd, 'Pos');
      const isPipe = isPipeOperator(cmd, state);
      if (x === undefined || y === undefined) return;
      const left = commandsIn(state, x, parent);
      const right = commandsIn(state, y, parent);
      if (isPipe) {
        state.pipes.push({ left, right: firstStage(state, y, right) });
        state.firstPipe ??= opPos;
      }
      return;
    }
    case 'Subshell':
    case 'Block':
      state.compound += 1;
      collectStmts(state, nodes(cmd['Stmts']), parent);
      state.compound -= 1;
      return;
    case 'IfClause': {
      let clause: GoNode | undefined = cmd;
      while (clause !== undefined) {
        collectStmts(state, nodes(clause['Cond']), parent);
        collectStmts(state, nodes(clause['Then']), parent);
        clause = child(clause, 'Else');
      }
      return;
    }
    case 'WhileClause':
      collectStmts(state, nodes(cmd['Cond']), parent);
      collectStmts(state, nodes(cmd['Do']), parent);
      return;
    case 'ForClause':
      collectStmts(state, nodes(cmd['Do']), parent);
      return;
    case 'CaseClause':
      for (const item of nodes(cmd['Items'])) collectStmts(state, nodes(item['Stmts']), parent);
      return;
    case 'FuncDecl': {
      const body = child(cmd, 'Body');
      if (body !== undefined) collectStmt(state, body, parent);
      return;
    }
    case 'TimeClause':
    case 'CoprocClause': {
      const inner = child(cmd, 'Stmt');
      if (inner !== undefined) collectStmt(state, inner, parent);
      return;
    }
    case 'DeclClause':
      collectDecl(state, cmd, parent);
      return;
    default:
      // TestClause, ArithmCmd, LetClause run no external program.
      return;
  }
}

/** The operator of a BinaryCmd: `|` and `|&` are pipes; `&&`, `||` are not. Token numbers differ across mvdan/sh versions, so read the op's text. */
function isPipeOperator(cmd: GoNode, state: WalkState): boolean {
  return state.pipeOps.has(cmd['Op']);
}

let cachedPipeOps: ReadonlySet<unknown> | undefined;

/** BinCmdOperator token numbers of `|` and `|&`, learnt from the parser itself (they differ across mvdan/sh versions). */
function pipeOperators(): ReadonlySet<unknown> {
  if (cachedPipeOps !== undefined) return cachedPipeOps;
  const ops = new Set<unknown>();
  for (const probe of ['a | b', 'a |& b']) {
    const file = internal(parser().Parse(probe, ''));
    const stmt = file === undefined ? undefined : nodes(file['Stmts'])[0];
    const cmd = stmt === undefined ? undefined : child(stmt, 'Cmd');
    if (cmd !== undefined && nodeType(cmd) === 'BinaryCmd') ops.add(cmd['Op']);
  }
  cachedPipeOps = ops;
  return ops;
}

/**
 * Commands of the first stage of the right side of a pipe. mvdan-sh 0.10.1 nests `a | b | c` as `(a | b) | c`, so the
 * right side is never itself a pipe there; this stays for a parser version that nests to the right.
 */
function firstStage(state: WalkState, y: GoNode, right: ShellCommand[]): ShellCommand[] {
  const cmd = child(y, 'Cmd');
  if (cmd !== undefined && nodeType(cmd) === 'BinaryCmd' && isPipeOperator(cmd, state)) {
    const x = child(cmd, 'X');
    if (x !== undefined) {
      const start = callPos(x, 'Pos');
      const end = callPos(x, 'End');
      return right.filter(
        (c) =>
          c.parent === right[0]?.parent &&
          (c.line > start.line || (c.line === start.line && c.column >= start.col)) &&
          (c.line < end.line || (c.line === end.line && c.column < end.col)),
      );
    }
  }
  return right;
}

function collectDecl(state: WalkState, cmd: GoNode, parent: ShellCommand | undefined): void {
  const variant = text(child(cmd, 'Variant'), 'Value');
  const start = callPos(cmd, 'Pos');
  const end = callPos(cmd, 'End');
  const assigns: { name: string; value: string }[] = [];
  for (const assign of nodes(cmd['Args'])) {
    const name = text(child(assign, 'Name'), 'Value');
    const value = child(assign, 'Value');
    if (name !== '' && value !== undefined)
      assigns.push({ name, value: wordText(state, value, parent).text });
  }
  state.commands.push({
    name: variant,
    program: variant,
    args: [],
    assigns,
    line: start.line,
    column: start.col,
    endLine: end.line,
    endColumn: end.col,
    ...(parent === undefined ? {} : { parent }),
  });
}

/**
 * Positions cost a Go->JS conversion each, and rules only need them for the few commands they report: they are
 * computed on first read (getters on the prototype, so no closure per word).
 */
class LazyWord implements ShellWord {
  #pos: Pos | undefined;
  constructor(
    readonly text: string,
    readonly literal: boolean,
    readonly node: GoNode,
  ) {}
  get line(): number {
    this.#pos ??= callPos(this.node, 'Pos');
    return this.#pos.line;
  }
  get column(): number {
    this.#pos ??= callPos(this.node, 'Pos');
    return this.#pos.col;
  }
}

class CallCommand implements ShellCommand {
  name = '';
  program = '';
  args: readonly ShellWord[] = [];
  readonly compound?: boolean;
  readonly parent?: ShellCommand;
  #start: Pos | undefined;
  #end: Pos | undefined;
  constructor(
    readonly assigns: readonly { readonly name: string; readonly value: string }[],
    readonly node: GoNode,
    compound: boolean,
    parent: ShellCommand | undefined,
  ) {
    if (compound) this.compound = true;
    if (parent !== undefined) this.parent = parent;
  }
  get line(): number {
    this.#start ??= callPos(this.node, 'Pos');
    return this.#start.line;
  }
  get column(): number {
    this.#start ??= callPos(this.node, 'Pos');
    return this.#start.col;
  }
  get endLine(): number {
    this.#end ??= callPos(this.node, 'End');
    return this.#end.line;
  }
  get endColumn(): number {
    this.#end ??= callPos(this.node, 'End');
    return this.#end.col;
  }
}

function collectCall(state: WalkState, call: GoNode, parent: ShellCommand | undefined): void {
  const assigns: { name: string; value: string }[] = [];
  // Created before its words so that commands nested in $(...) (also in `X=$(...)`) point at it as their parent.
  const command = new CallCommand(assigns, call, state.compound > 0, parent);
  state.commands.push(command);
  for (const assign of nodes(call['Assigns'])) {
    const name = text(child(assign, 'Name'), 'Value');
    const value = child(assign, 'Value');
    assigns.push({ name, value: value === undefined ? '' : wordText(state, value, command).text });
  }
  const argNodes = nodes(call['Args']);
  const words: ShellWord[] = [];
  for (const word of argNodes) {
    const { text: value, literal } = wordText(state, word, command);
    words.push(new LazyWord(value, literal, word));
  }
  state.finish(command, words);
}

/** A syntax error as mvdan-sh reports it. */
type ShellSyntaxError = Extract<ShellScript, { kind: 'error' }>;

function parseFailure(error: unknown): ShellSyntaxError {
  let message = 'shell syntax error';
  if (isObject(error) && typeof error['Error'] === 'function') {
    const raw: unknown = (error['Error'] as () => unknown).call(error);
    if (typeof raw === 'string') message = raw;
  } else if (error instanceof Error) {
    message = error.message;
  }
  // mvdan/sh messages start with "LINE:COL: ".
  const match = /^(\d+):(\d+): (.*)$/s.exec(message);
  if (match === null) return { kind: 'error', message, line: 1, column: 1 };
  return { kind: 'error', message: match[3] ?? message, line: Number(match[1]), column: Number(match[2]) };
}

/** True once mvdan-sh has been loaded (it is loaded only when a script needs it). */
export function mvdanLoaded(): boolean {
  return cachedSyntax !== undefined;
}

/**
 * Parses `script` with mvdan-sh into `state` (top-level commands get `parent`), calling `finish` for every simple
 * command. Returns null when the script parsed, or the syntax error mvdan-sh reported.
 */
export function parseWithMvdan(
  script: string,
  state: RecordState,
  parent: ShellCommand | undefined,
  finish: FinishCall,
): ShellSyntaxError | null {
  let file: GoNode | undefined;
  try {
    file = internal(parser().Parse(script, ''));
  } catch (error) {
    return parseFailure(error);
  }
  if (file === undefined)
    return { kind: 'error', message: 'shell parser returned no syntax tree', line: 1, column: 1 };
  const walk: WalkState = {
    commands: state.commands,
    pipes: state.pipes,
    firstPipe: state.firstPipe,
    compound: state.compound,
    pipeOps: pipeOperators(),
    finish,
  };
  collectStmts(walk, nodes(file['Stmts']), parent);
  state.firstPipe = walk.firstPipe;
  return null;
}
