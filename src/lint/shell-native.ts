// A hand-written parser for the POSIX shell subset Dockerfile RUN lines use, feeding the same command records as the
// mvdan-sh adapter in shell-mvdan.ts (shell.ts owns every rule about wrappers, `sh -c` and pipefail). It declines —
// returns false so that the caller falls back to mvdan-sh — on anything outside the subset or anything it doubts:
// heredocs, `case`, functions, arithmetic, `[[ ]]`, process substitution, arrays, here-strings, extglob, `$'...'`,
// complex `${...}` forms, syntax errors (mvdan-sh reports those with its own messages), non-ASCII quirks it cannot
// reproduce. The differential test (test/lint/shell-native.test.ts) holds it to mvdan-sh's exact output.
import type { FinishCall, OpenCall, RecordState, ShellCommand, ShellWord } from './shell-model.js';

/** A simple command under construction: its positions are set once its last word is read. */
interface NativeCall extends OpenCall {
  endLine: number;
  endColumn: number;
  line: number;
  column: number;
}

class Decline extends Error {}

const DECL = new Set(['export', 'declare', 'local', 'readonly', 'typeset', 'nameref']);
/** Words that make the parser give up when they start a command. */
const UNSUPPORTED = new Set(['select', 'function', 'time', 'coproc', '[[', ']]', 'let', 'in', '!']);
/** Words that end a list at command position. */
const RESERVED = new Set([
  'if',
  'then',
  'elif',
  'else',
  'fi',
  'do',
  'done',
  'while',
  'until',
  'for',
  'case',
  'esac',
  'in',
  'select',
  'function',
  'time',
  'coproc',
  '{',
  '}',
  '[[',
  ']]',
  '!',
  'let',
  'export',
  'declare',
  'local',
  'readonly',
  'typeset',
  'nameref',
]);
/** Words that end a list at command position. */
const LIST_END = new Set(['then', 'elif', 'else', 'fi', 'do', 'done', '}', 'esac']);
const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

interface Word {
  readonly text: string;
  readonly literal: boolean;
  readonly start: number;
  readonly end: number;
}

interface Stage {
  readonly from: number;
  readonly to: number;
  readonly start: number;
}

class Parser {
  i = 0;
  readonly lineStarts: number[] = [0];
  /** Inside backquotes: a backquote ends words and lists. */
  backquote = 0;
  /** Heredocs whose bodies start after the next newline. */
  readonly heredocs: { readonly delimiter: string; readonly stripTabs: boolean; readonly quoted: boolean }[] =
    [];
  /** Inside the body of a `case` item: `;;` ends lists. */
  caseItem = 0;

  constructor(
    readonly src: string,
    readonly state: RecordState,
    readonly finishCall: FinishCall,
  ) {
    for (let k = 0; k < src.length; k += 1) if (src.charCodeAt(k) === 10) this.lineStarts.push(k + 1);
  }

  pos(index: number): { line: number; col: number } {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.lineStarts[mid] ?? 0) <= index) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: index - (this.lineStarts[lo] ?? 0) + 1 };
  }

  ch(offset = 0): string {
    return this.src.charAt(this.i + offset);
  }

  /** Spaces, tabs and line continuations. */
  blanks(): void {
    for (;;) {
      const c = this.ch();
      if (c === ' ' || c === '\t') this.i += 1;
      else if (c === '\\' && this.ch(1) === '\n') {
        if (this.heredocs.length > 0) throw new Decline();
        this.i += 2;
      } else return;
    }
  }

  /** Blanks, newlines and comments. */
  linebreaks(): void {
    for (;;) {
      this.blanks();
      const c = this.ch();
      if (c === '\n') this.newline();
      else if (c === '#') this.comment();
      else return;
    }
  }

  comment(): void {
    while (this.i < this.src.length && this.ch() !== '\n') {
      if (this.backquote > 0 && this.ch() === '`') throw new Decline();
      this.i += 1;
    }
    // mvdan-sh continues a comment ending in a backslash onto the next line; bash does not. Leave it to mvdan-sh.
    if (this.src.charAt(this.i - 1) === '\\') throw new Decline();
  }

  atEnd(): boolean {
    return this.i >= this.src.length;
  }

  /** The bare reserved-looking word at the cursor (letters or braces up to a delimiter), or ''. */
  keyword(): string {
    const first = this.src.charCodeAt(this.i);
    // Fast path: reserved words start with a lower-case letter, a brace, `[` or `!`.
    if (!(
      (first >= 97 && first <= 122) ||
      first === 123 ||
      first === 125 ||
      first === 91 ||
      first === 93 ||
      first === 33
    ))
      return '';
    const m = /^(?:[a-z]+|\{|\}|\[\[|\]\]|!)/.exec(this.src.slice(this.i, this.i + 10));
    if (m === null) return '';
    const after = this.src.charAt(this.i + m[0].length);
    if (m[0] === '!') return after === ' ' || after === '\t' ? '!' : '';
    return after === '' || ' \t\n;&|<>)'.includes(after) || (after === '`' && this.backquote > 0) ? m[0] : '';
  }

  expectKeyword(word: string): void {
    if (this.keyword() !== word) throw new Decline();
    this.i += word.length;
  }

  /** A list of statements up to EOF, `)`, a closing backquote or a list-ending keyword. Returns how many. */
  list(): number {
    let count = 0;
    for (;;) {
      this.linebreaks();
      if (this.atEnd() || this.ch() === ')' || (this.ch() === '`' && this.backquote > 0)) return count;
      if (this.caseItem > 0 && this.src.startsWith(';;', this.i)) return count;
      const kw = this.keyword();
      if (LIST_END.has(kw)) return count;
      this.andOr();
      count += 1;
      this.blanks();
      const c = this.ch();
      if (c === '#') this.comment();
      else if (c === ';') {
        if (this.ch(1) === ';' && this.caseItem > 0) return count;
        if (this.ch(1) === ';' || this.ch(1) === '&' || this.ch(1) === '|') throw new Decline();
        this.i += 1;
      } else if (c === '&') {
        if (this.ch(1) === '>' || this.ch(1) === '|') throw new Decline();
        this.i += 1;
      } else if (c === '\n') this.newline();
      else if (!(this.atEnd() || c === ')' || c === '`' || LIST_END.has(this.keyword()))) throw new Decline();
    }
  }

  andOr(): void {
    this.pipeline();
    for (;;) {
      this.blanks();
      const two = this.src.slice(this.i, this.i + 2);
      if (two !== '&&' && two !== '||') return;
      this.i += 2;
      this.linebreaks();
      this.pipeline();
    }
  }

  pipeline(): void {
    if (this.keyword() === '!') {
      this.i += 1;
      this.blanks();
    }
    const first = this.stage();
    const { commands, pipes } = this.state;
    for (;;) {
      this.blanks();
      if (this.ch() !== '|' || this.ch(1) === '|') break;
      if (this.ch(1) === '&') throw new Decline();
      this.i += 1;
      this.linebreaks();
      // mvdan/sh nests `a | b | c` as `(a | b) | c`: each pipe is recorded once its right stage is walked, its left
      // side being every stage before.
      const next = this.stage();
      pipes.push({ left: commands.slice(first.from, next.from), right: commands.slice(next.from, next.to) });
      this.state.firstPipe ??= this.pos(first.start);
    }
  }

  stage(): Stage {
    const from = this.state.commands.length;
    const start = this.i;
    this.command();
    return { from, to: this.state.commands.length, start };
  }

  /** `{ list; }` with its redirections, the cursor on `{` (a group, or a function body). */
  braceGroup(): void {
    this.i += 1;
    this.compound(() => {
      if (this.list() === 0) throw new Decline();
      this.expectKeyword('}');
    });
    this.redirects();
  }

  command(): void {
    const kw = this.keyword();
    if (UNSUPPORTED.has(kw) || LIST_END.has(kw)) throw new Decline();
    const fn = /^([A-Za-z_][A-Za-z0-9_]*)[ \t]*\(\)/.exec(this.src.slice(this.i, this.i + 200));
    if (fn !== null) {
      // `name() { ...; }`: mvdan-sh's walk collects the body as compound commands.
      if (RESERVED.has(fn[1] ?? '')) throw new Decline();
      this.i += fn[0].length;
      this.linebreaks();
      if (this.keyword() !== '{') throw new Decline();
      this.braceGroup();
      return;
    }
    const c = this.ch();
    if (c === '(') {
      if (this.ch(1) === '(') throw new Decline();
      this.i += 1;
      this.compound(() => {
        if (this.list() === 0 || this.ch() !== ')') throw new Decline();
        this.i += 1;
      });
      this.redirects();
      return;
    }
    switch (kw) {
      case '{':
        this.braceGroup();
        return;
      case 'if':
        this.i += 2;
        this.compound(() => {
          this.body('then');
          this.body(undefined);
          for (;;) {
            const next = this.keyword();
            if (next === 'fi') break;
            this.i += next.length;
            if (next === 'elif') {
              this.body('then');
              this.body(undefined);
            } else if (next === 'else') {
              this.body(undefined);
              if (this.keyword() !== 'fi') throw new Decline();
            } else throw new Decline();
          }
          this.i += 2;
        });
        this.redirects();
        return;
      case 'while':
      case 'until':
        this.i += kw.length;
        this.compound(() => {
          this.body('do');
          this.body('done');
        });
        this.redirects();
        return;
      case 'case':
        this.i += 4;
        this.compound(() => {
          this.caseClause();
        });
        this.redirects();
        return;
      case 'for':
        this.i += 3;
        this.compound(() => {
          this.forHeader();
          this.body('done');
        });
        this.redirects();
        return;
      default:
        this.simple();
    }
  }

  compound(fn: () => void): void {
    this.state.compound += 1;
    try {
      fn();
    } finally {
      this.state.compound -= 1;
    }
  }

  /** A non-empty list, then the keyword that must end it (consumed), or none (checked by the caller). */
  body(end: string | undefined): void {
    if (this.list() === 0) throw new Decline();
    if (end !== undefined) this.expectKeyword(end);
  }

  /**
   * A word mvdan-sh's walk does not look into (loop lists, case subjects and patterns): commands and pipes in its
   * `$(...)` are parsed, then dropped as that walk drops them.
   */
  unwalkedWord(): void {
    const c = this.ch();
    if (this.atEnd() || ' \t\n;&|<>()#'.includes(c)) throw new Decline();
    const { commands, pipes } = this.state;
    const before = { commands: commands.length, pipes: pipes.length, firstPipe: this.state.firstPipe };
    const word = this.word();
    if (word.end === word.start) throw new Decline();
    commands.length = before.commands;
    pipes.length = before.pipes;
    this.state.firstPipe = before.firstPipe;
  }

  /** `case WORD in [(]PATTERN[|PATTERN]...) LIST ;; ... esac`, after `case`. */
  caseClause(): void {
    this.blanks();
    this.unwalkedWord();
    this.blanks();
    this.expectKeyword('in');
    for (;;) {
      this.linebreaks();
      if (this.keyword() === 'esac') {
        this.i += 4;
        return;
      }
      if (this.ch() === '(') this.i += 1;
      for (;;) {
        this.blanks();
        this.unwalkedWord();
        this.blanks();
        const c = this.ch();
        this.i += 1;
        if (c === ')') break;
        if (c !== '|') throw new Decline();
      }
      const saved = this.caseItem;
      this.caseItem = 1;
      try {
        this.list();
      } finally {
        this.caseItem = saved;
      }
      if (this.src.startsWith(';;', this.i)) {
        this.i += 2;
        if (this.ch() === '&') throw new Decline();
      } else if (this.keyword() !== 'esac') throw new Decline();
    }
  }

  forHeader(): void {
    this.blanks();
    const name = NAME.exec(this.src.slice(this.i, this.i + 200));
    if (name === null) throw new Decline();
    this.i += name[0].length;
    const after = this.ch();
    if (after !== ' ' && after !== '\t' && after !== ';' && after !== '\n') throw new Decline();
    this.blanks();
    if (this.keyword() === 'in') {
      this.i += 2;
      for (;;) {
        this.blanks();
        const c = this.ch();
        if (c === ';' || c === '\n') break;
        if (this.atEnd() || '&|<>()'.includes(c)) throw new Decline();
        this.unwalkedWord();
      }
    }
    const c = this.ch();
    if (c === ';') this.i += 1;
    else if (c === '\n') this.newline();
    else throw new Decline();
    this.linebreaks();
    this.expectKeyword('do');
  }

  /** Redirections after a compound command. */
  redirects(): void {
    for (;;) {
      this.blanks();
      if (!this.redirect()) return;
    }
  }

  /** Parses one redirection at the cursor if there is one. Its word may not run commands. */
  redirect(): boolean {
    const first = this.src.charCodeAt(this.i);
    // Fast path: a redirection starts with a digit, `<`, `>` or `&`.
    if (!((first >= 48 && first <= 57) || first === 60 || first === 62 || first === 38)) return false;
    const here = /^[0-9]*<<(-?)/.exec(this.src.slice(this.i, this.i + 20));
    if (here !== null) return this.heredoc(here[0].length, here[1] === '-');
    const m = /^(?:[0-9]*(?:>>|>\||>&|<&|<>|>|<)|&>>|&>)/.exec(this.src.slice(this.i, this.i + 20));
    if (m === null) return false;
    const op = m[0];
    if (this.src.startsWith('<<', this.i + op.length - 1) || this.ch(op.length) === '(') throw new Decline();
    this.i += op.length;
    this.blanks();
    const c = this.ch();
    if (this.atEnd() || ' \t\n;&|<>()#'.includes(c)) throw new Decline();
    const before = this.state.commands.length;
    const word = this.word();
    if (this.state.commands.length !== before || word.end === word.start) throw new Decline();
    return true;
  }

  /**
   * `<<WORD`, `<<'WORD'`, `<<"WORD"`, `<<-WORD` with a plain delimiter. mvdan-sh's walk reads no command out of the
   * body, so it is only skipped (at the next newline), after checking that mvdan-sh would parse it without error.
   */
  heredoc(length: number, stripTabs: boolean): boolean {
    if (this.ch(length) === '<') throw new Decline();
    this.i += length;
    this.blanks();
    const m = /^(?:'([A-Za-z0-9_.-]+)'|"([A-Za-z0-9_.-]+)"|([A-Za-z0-9_.-]+))/.exec(
      this.src.slice(this.i, this.i + 200),
    );
    if (m === null) throw new Decline();
    this.i += m[0].length;
    const after = this.ch();
    if (!(this.atEnd() || ' \t\n;&|<>)'.includes(after))) throw new Decline();
    this.heredocs.push({ delimiter: m[1] ?? m[2] ?? m[3] ?? '', stripTabs, quoted: m[3] === undefined });
    return true;
  }

  /** Consumes a newline at the cursor, then the bodies of pending heredocs. */
  newline(): void {
    this.i += 1;
    for (const doc of this.heredocs.splice(0)) {
      for (;;) {
        if (this.atEnd()) throw new Decline();
        const nl = this.src.indexOf('\n', this.i);
        const lineEnd = nl === -1 ? this.src.length : nl;
        let line = this.src.slice(this.i, lineEnd);
        if (doc.stripTabs) line = line.replace(/^\t+/, '');
        this.i = nl === -1 ? lineEnd : lineEnd + 1;
        if (line === doc.delimiter) break;
        if (!doc.quoted && !plainHeredocLine(line)) throw new Decline();
      }
    }
  }

  simple(): void {
    const { state } = this;
    const assigns: { name: string; value: string }[] = [];
    const start = this.i;
    const command: NativeCall = {
      name: '',
      program: '',
      args: [],
      assigns,
      line: 0,
      column: 0,
      endLine: 0,
      endColumn: 0,
      ...(state.compound > 0 ? { compound: true } : {}),
      ...(this.parent === undefined ? {} : { parent: this.parent }),
    };
    const index = state.commands.length;
    state.commands.push(command);
    const saved = this.parent;
    const words: ShellWord[] = [];
    let first = -1;
    let end = -1;
    let decl = false;
    let sawRedirect = false;
    try {
      for (;;) {
        this.blanks();
        if (this.redirect()) {
          sawRedirect = true;
          continue;
        }
        const c = this.ch();
        if (this.atEnd() || ' \t\n;&|)'.includes(c) || (c === '`' && this.backquote > 0)) break;
        if (c === '(' || c === '#') {
          if (c === '#' && (words.length > 0 || assigns.length > 0)) break;
          throw new Decline();
        }
        if (words.length === 0) {
          const assign = /^([A-Za-z_][A-Za-z0-9_]*)(\+?)=/.exec(this.src.slice(this.i, this.i + 200));
          if (assign !== null) {
            if (assign[2] === '+') throw new Decline();
            if (first === -1) first = this.i;
            const name = assign[1] ?? '';
            this.i += assign[0].length;
            this.parent = command;
            const value = this.valueWord();
            assigns.push({ name, value: value?.text ?? '' });
            end = value?.end ?? this.i;
            continue;
          }
          const kw = this.keyword();
          if (
            kw !== '' &&
            (UNSUPPORTED.has(kw) ||
              LIST_END.has(kw) ||
              kw === '{' ||
              ['if', 'while', 'until', 'for'].includes(kw))
          )
            throw new Decline();
          if (DECL.has(kw) && assigns.length === 0) {
            decl = true;
            break;
          }
          if (/^\{[A-Za-z_][A-Za-z0-9_]*\}[<>]/.test(this.src.slice(this.i, this.i + 200)))
            throw new Decline();
        }
        if (first === -1) first = this.i;
        this.parent = command;
        const word = this.word();
        if (word.end === word.start) throw new Decline();
        // A command name spelt with quotes or line continuations that reads as a reserved word or an assignment:
        // mvdan-sh may still take it as one.
        if (words.length === 0 && (RESERVED.has(word.text) || /^[A-Za-z_][A-Za-z0-9_]*\+?=/.test(word.text)))
          throw new Decline();
        const p = this.pos(word.start);
        words.push({ text: word.text, literal: word.literal, line: p.line, column: p.col });
        end = word.end;
        if (
          /^\{[A-Za-z_][A-Za-z0-9_]*\}$/.test(this.src.slice(word.start, word.end)) &&
          '<>'.includes(this.ch())
        )
          throw new Decline();
      }
    } finally {
      this.parent = saved;
    }
    if (decl) {
      if (sawRedirect) throw new Decline();
      state.commands.splice(index, 1);
      this.declaration(start);
      return;
    }
    if (first === -1) throw new Decline();
    const s = this.pos(first);
    const e = this.pos(end);
    command.line = s.line;
    command.column = s.col;
    command.endLine = e.line;
    command.endColumn = e.col;
    this.finishCall(command, words);
  }

  /** The value of `NAME=`: undefined when empty (mvdan-sh has no value word then). */
  valueWord(): Word | undefined {
    const c = this.ch();
    if (this.atEnd() || ' \t\n;&|<>)'.includes(c) || (c === '`' && this.backquote > 0)) return undefined;
    if (c === '(') throw new Decline();
    if (c === '\\' && this.ch(1) === '\n') throw new Decline();
    return this.word();
  }

  /** `export NAME=value ...` (mvdan-sh's DeclClause): only the assignments are kept, nested commands keep the outer parent. */
  declaration(start: number): void {
    const keyword = this.keyword();
    const kwStart = this.i;
    this.i += keyword.length;
    let end = this.i;
    const assigns: { name: string; value: string }[] = [];
    for (;;) {
      this.blanks();
      const c = this.ch();
      if (this.atEnd() || ' \t\n;&|)'.includes(c) || (c === '`' && this.backquote > 0)) break;
      const rest = this.src.slice(this.i, this.i + 200);
      const flag = /^-[A-Za-z]+/.exec(rest);
      const assign = /^([A-Za-z_][A-Za-z0-9_]*)(=?)/.exec(rest);
      if (flag !== null) {
        this.i += flag[0].length;
      } else if (assign !== null) {
        this.i += assign[0].length;
        if (assign[2] === '=') {
          const value = this.valueWord();
          if (value !== undefined) assigns.push({ name: assign[1] ?? '', value: value.text });
        }
      } else throw new Decline();
      const after = this.ch();
      if (!(this.atEnd() || ' \t\n;&|)'.includes(after) || (after === '`' && this.backquote > 0)))
        throw new Decline();
      end = this.i;
    }
    if (start !== kwStart) throw new Decline();
    const s = this.pos(kwStart);
    const e = this.pos(end);
    this.state.commands.push({
      name: keyword,
      program: keyword,
      args: [],
      assigns,
      line: s.line,
      column: s.col,
      endLine: e.line,
      endColumn: e.col,
      ...(this.parent === undefined ? {} : { parent: this.parent }),
    });
  }

  /** The command that words being parsed belong to (parent of commands in their `$(...)`). */
  parent: ShellCommand | undefined;

  /** One word up to an unquoted delimiter. */
  word(): Word {
    const start = this.i;
    let end = this.i;
    let text = '';
    let literal = true;
    // mvdan-sh may read a `#` right after a quote or expansion as a comment: only plain text may precede one.
    let plain = true;
    for (;;) {
      const c = this.ch();
      if (this.atEnd() || ' \t\n;&|<>()'.includes(c)) break;
      if (c === '#' && !plain) throw new Decline();
      if (c === '\\' && this.ch(1) === '\n') {
        // A line continuation belongs to the word's end only after unquoted literal text (mvdan-sh's Lit); after a
        // quote it does not, and after an expansion at the end of a word the position is not worth guessing.
        this.i += 2;
        const after = this.ch();
        if (plain) end = this.i;
        else if (this.src.charAt(this.i - 3) !== "'" && this.src.charAt(this.i - 3) !== '"') {
          if (this.atEnd() || ' \t\n;&|<>()'.includes(after)) throw new Decline();
        }
        continue;
      }
      plain = c !== '`' && c !== "'" && c !== '"' && c !== '$';
      if (c === '`') {
        if (this.backquote > 0) break;
        this.backquoted();
        text += '$(…)';
        literal = false;
      } else if (c === '\\') {
        const next = this.ch(1);
        if (next === '') throw new Decline();
        this.i += 2;
        if (next !== '\n') text += c + next;
      } else if (c === "'") {
        const close = this.src.indexOf("'", this.i + 1);
        if (close === -1) throw new Decline();
        const body = this.src.slice(this.i + 1, close);
        if (this.backquote > 0 && body.includes('`')) throw new Decline();
        if (this.heredocs.length > 0 && body.includes('\n')) throw new Decline();
        text += body;
        this.i = close + 1;
      } else if (c === '"') {
        this.i += 1;
        for (;;) {
          const d = this.ch();
          if (this.atEnd()) throw new Decline();
          if (d === '"') {
            this.i += 1;
            break;
          }
          if (d === '\n' && this.heredocs.length > 0) throw new Decline();
          if (d === '\\') {
            const next = this.ch(1);
            if (next === '') throw new Decline();
            if (next === '`' && this.backquote > 0) throw new Decline();
            this.i += 2;
            if (next !== '\n') text += d + next;
          } else if (d === '$') {
            const r = this.dollar(true);
            text += r.text;
            if (!r.literal) literal = false;
          } else if (d === '`') {
            if (this.backquote > 0) throw new Decline();
            this.backquoted();
            text += '$(…)';
            literal = false;
          } else {
            text += d;
            this.i += 1;
          }
        }
      } else if (c === '$') {
        const r = this.dollar(false);
        text += r.text;
        if (!r.literal) literal = false;
      } else {
        text += c;
        this.i += 1;
      }
      end = this.i;
    }
    return { text, literal, start, end };
  }

  /** An expansion starting at `$`. */
  dollar(quoted: boolean): { text: string; literal: boolean } {
    const next = this.ch(1);
    if (next === '{') return this.paramExp();
    if (next === '(') {
      if (this.ch(2) === '(') throw new Decline();
      this.i += 2;
      const saved = this.backquote;
      const savedCase = this.caseItem;
      this.backquote = 0;
      this.caseItem = 0;
      try {
        if (this.list() === 0 || this.ch() !== ')') throw new Decline();
      } finally {
        this.backquote = saved;
        this.caseItem = savedCase;
      }
      this.i += 1;
      return { text: '$(…)', literal: false };
    }
    const name = NAME.exec(this.src.slice(this.i + 1, this.i + 200));
    if (name !== null) {
      this.i += 1 + name[0].length;
      // mvdan-sh starts a comment at a `#` right after `$NAME`.
      if (this.ch() === '#') throw new Decline();
      return { text: `$${name[0]}`, literal: false };
    }
    if (/^[0-9@*#?$!-]$/.test(next)) {
      this.i += 2;
      if (this.ch() === '#') throw new Decline();
      return { text: `$${next}`, literal: false };
    }
    if (next === '' || next === ' ' || next === '\t' || next === '\n' || (quoted && next === '"')) {
      this.i += 1;
      return { text: '$', literal: true };
    }
    throw new Decline();
  }

  /**
   * `${NAME}`, `${#NAME}`, `${NAME<op>WORD}` with op one of `:- - := = :+ + :? ? % %% # ## / //`; mvdan-sh's walk
   * keeps only `$NAME`. The word may hold nested `${...}` but no quotes, escapes or command substitutions.
   */
  paramExp(): { text: string; literal: boolean } {
    const head = /^\$\{(#?)([A-Za-z_][A-Za-z0-9_]*)/.exec(this.src.slice(this.i, this.i + 200));
    if (head === null) throw new Decline();
    const text = `$${head[2] ?? ''}`;
    let j = this.i + head[0].length;
    if (this.src.charAt(j) === '}') {
      this.i = j + 1;
      return { text, literal: false };
    }
    if (head[1] === '#') throw new Decline();
    const op = /^(?::[-=+?]|[-=+?]|%%?|##?|\/\/?)/.exec(this.src.slice(j, j + 2));
    if (op === null) throw new Decline();
    j += op[0].length;
    let depth = 0;
    for (; ; j += 1) {
      const c = this.src.charAt(j);
      if (c === '' || '\'"`\\\n{#'.includes(c)) throw new Decline();
      if (c === '}') {
        if (depth === 0) break;
        depth -= 1;
      } else if (c === '$') {
        const after = this.src.charAt(j + 1);
        if (after === '(') throw new Decline();
        if (after === '{') {
          depth += 1;
          j += 1;
        }
      }
    }
    this.i = j + 1;
    return { text, literal: false };
  }

  /** `` `...` `` without backslashes inside. */
  backquoted(): void {
    this.i += 1;
    const close = this.src.indexOf('`', this.i);
    if (close === -1 || this.src.slice(this.i, close).includes('\\')) throw new Decline();
    this.backquote += 1;
    const savedCase = this.caseItem;
    this.caseItem = 0;
    try {
      if (this.list() === 0 || this.ch() !== '`') throw new Decline();
    } finally {
      this.backquote -= 1;
      this.caseItem = savedCase;
    }
    this.i += 1;
  }
}

/**
 * A line of an unquoted heredoc body that mvdan-sh parses without error and without commands: no command
 * substitution, no `$'`/`$"`, no trailing backslash, and every `${` closed on the line.
 */
function plainHeredocLine(line: string): boolean {
  if (line.includes('`') || line.endsWith('\\')) return false;
  for (let k = 0; k < line.length; k += 1) {
    const c = line.charAt(k);
    if (c === '\\') {
      k += 1;
      continue;
    }
    if (c !== '$') continue;
    const next = line.charAt(k + 1);
    if (next === '(' || next === "'" || next === '"') return false;
    if (next === '{') {
      const m = /^\$\{[A-Za-z_][A-Za-z0-9_]*(?:(?::?[-=+?])[^}'"`$\\{]*)?\}/.exec(line.slice(k));
      if (m === null) return false;
      k += m[0].length - 1;
    }
  }
  return true;
}

// mvdan-sh (GopherJS) sees a JavaScript string as UTF-8 bytes, and hands text back one byte per character: columns
// are byte offsets and non-ASCII text comes back mangled. Parsing the same byte string reproduces both.
function asBytes(script: string): string | undefined {
  if (/[\0\r\uD800-\uDFFF]/.test(script)) return undefined;
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(script) ? script : Buffer.from(script, 'utf8').toString('latin1');
}

/**
 * Parses `script` into `state` (commands whose top level has `parent`), or returns false when the script is outside
 * the supported subset; `state` must then be discarded.
 */
export function parseNative(
  script: string,
  state: RecordState,
  parent: ShellCommand | undefined,
  finishCall: FinishCall,
): boolean {
  const src = asBytes(script);
  if (src === undefined) return false;
  const parser = new Parser(src, state, finishCall);
  parser.parent = parent;
  try {
    parser.list();
    return parser.atEnd() && parser.heredocs.length === 0;
  } catch (error) {
    // Nesting deep enough to exhaust the stack is hostile input: mvdan-sh gets to refuse it.
    if (error instanceof Decline || error instanceof RangeError) return false;
    throw error;
  }
}
