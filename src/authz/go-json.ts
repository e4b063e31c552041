// Decodes JSON exactly the way dockerd's Go `encoding/json` does (go.dev/pkg/encoding/json "Unmarshal"), so the
// plugin sees the same values dockerd will act on: case-insensitive field names (with the Kelvin sign and long s
// folding to k and s), duplicate keys applied in order, objects merged into existing structs, null a no-op on
// scalars, arrays decoded into the elements of the previous slice, and only the first JSON value of a stream read.

/** A parsed JSON value that keeps every key, duplicates and order included. */
export type JsonNode =
  | { readonly t: 'null' }
  | { readonly t: 'bool'; readonly v: boolean }
  | { readonly t: 'num'; readonly raw: string }
  | { readonly t: 'str'; readonly v: string }
  | { readonly t: 'arr'; readonly items: readonly JsonNode[] }
  | { readonly t: 'obj'; readonly entries: readonly (readonly [string, JsonNode])[] };

export class JsonSyntaxError extends Error {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(`${message} at offset ${offset}`);
    this.offset = offset;
  }
}

/** Deeper nesting is refused outright (Go's own limit is 10000); a legitimate Docker body nests fewer than 10. */
export const MAX_JSON_DEPTH = 512;

export interface FirstValue {
  readonly node: JsonNode;
  /** Offset just past the value; anything but whitespace after it is data Go's Decoder never reads. */
  readonly end: number;
  readonly trailing: boolean;
}

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);

/** Parses the first JSON value of `text` like json.Decoder.Decode: leading whitespace allowed, the rest ignored. */
export function parseFirstJsonValue(text: string): FirstValue {
  const parser = new Parser(text);
  parser.skipWs();
  if (parser.pos >= text.length) throw new JsonSyntaxError('empty body (EOF)', parser.pos);
  const node = parser.value(0);
  const end = parser.pos;
  parser.skipWs();
  return { node, end, trailing: parser.pos < text.length };
}

class Parser {
  pos = 0;
  constructor(private readonly s: string) {}

  skipWs(): void {
    while (this.pos < this.s.length && WS.has(this.s.charCodeAt(this.pos))) this.pos += 1;
  }

  value(depth: number): JsonNode {
    if (depth > MAX_JSON_DEPTH)
      throw new JsonSyntaxError(`JSON nested deeper than ${MAX_JSON_DEPTH}`, this.pos);
    this.skipWs();
    const c = this.s[this.pos];
    switch (c) {
      case '{':
        return this.object(depth);
      case '[':
        return this.array(depth);
      case '"':
        return { t: 'str', v: this.string() };
      case 't':
        return this.literal('true', { t: 'bool', v: true });
      case 'f':
        return this.literal('false', { t: 'bool', v: false });
      case 'n':
        return this.literal('null', { t: 'null' });
      case undefined:
        throw new JsonSyntaxError('unexpected end of JSON input', this.pos);
      default:
        if (c === '-' || (c >= '0' && c <= '9')) return this.number();
        throw new JsonSyntaxError(
          `invalid character ${JSON.stringify(c)} looking for beginning of value`,
          this.pos,
        );
    }
  }

  private literal(word: string, node: JsonNode): JsonNode {
    if (this.s.startsWith(word, this.pos)) {
      this.pos += word.length;
      return node;
    }
    throw new JsonSyntaxError(`invalid literal, expected ${word}`, this.pos);
  }

  private number(): JsonNode {
    const re = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
    re.lastIndex = this.pos;
    const m = re.exec(this.s);
    if (m === null) throw new JsonSyntaxError('invalid number', this.pos);
    this.pos += m[0].length;
    return { t: 'num', raw: m[0] };
  }

  private string(): string {
    // caller saw the opening quote
    this.pos += 1;
    let out = '';
    let start = this.pos;
    // only \u escapes can produce lone surrogates (decoded UTF-8 never does)
    let escapedUnicode = false;
    for (;;) {
      const code = this.s.charCodeAt(this.pos);
      if (Number.isNaN(code)) throw new JsonSyntaxError('unterminated string', this.pos);
      if (code === 0x22) {
        out += this.s.slice(start, this.pos);
        this.pos += 1;
        return escapedUnicode ? fixSurrogates(out) : out;
      }
      if (code < 0x20) throw new JsonSyntaxError('invalid control character in string', this.pos);
      if (code === 0x5c) {
        out += this.s.slice(start, this.pos);
        const e = this.s[this.pos + 1];
        switch (e) {
          case undefined:
            throw new JsonSyntaxError('unterminated escape', this.pos);
          case '"':
          case '\\':
          case '/':
            out += e;
            this.pos += 2;
            break;
          case 'b':
            out += '\b';
            this.pos += 2;
            break;
          case 'f':
            out += '\f';
            this.pos += 2;
            break;
          case 'n':
            out += '\n';
            this.pos += 2;
            break;
          case 'r':
            out += '\r';
            this.pos += 2;
            break;
          case 't':
            out += '\t';
            this.pos += 2;
            break;
          case 'u': {
            const hex = this.s.slice(this.pos + 2, this.pos + 6);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new JsonSyntaxError('invalid \\u escape', this.pos);
            out += String.fromCharCode(parseInt(hex, 16));
            escapedUnicode = true;
            this.pos += 6;
            break;
          }
          default:
            throw new JsonSyntaxError('invalid escape in string', this.pos);
        }
        start = this.pos;
        continue;
      }
      this.pos += 1;
    }
  }

  private array(depth: number): JsonNode {
    this.pos += 1;
    const items: JsonNode[] = [];
    this.skipWs();
    if (this.s[this.pos] === ']') {
      this.pos += 1;
      return { t: 'arr', items };
    }
    for (;;) {
      items.push(this.value(depth + 1));
      this.skipWs();
      const c = this.s[this.pos];
      this.pos += 1;
      if (c === ']') return { t: 'arr', items };
      if (c !== ',') throw new JsonSyntaxError("expected ',' or ']' after array element", this.pos - 1);
    }
  }

  private object(depth: number): JsonNode {
    this.pos += 1;
    const entries: [string, JsonNode][] = [];
    this.skipWs();
    if (this.s[this.pos] === '}') {
      this.pos += 1;
      return { t: 'obj', entries };
    }
    for (;;) {
      this.skipWs();
      if (this.s[this.pos] !== '"') throw new JsonSyntaxError('expected string key in object', this.pos);
      const key = this.string();
      this.skipWs();
      if (this.s[this.pos] !== ':') throw new JsonSyntaxError("expected ':' after object key", this.pos);
      this.pos += 1;
      entries.push([key, this.value(depth + 1)]);
      this.skipWs();
      const c = this.s[this.pos];
      this.pos += 1;
      if (c === '}') return { t: 'obj', entries };
      if (c !== ',') throw new JsonSyntaxError("expected ',' or '}' after object value", this.pos - 1);
    }
  }
}

/** Go replaces lone UTF-16 surrogates from \u escapes with U+FFFD (encoding/json unquote). */
function fixSurrogates(s: string): string {
  return s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

/** Folds a JSON key the way Go matches it against a field name: ASCII case plus U+212A→k and U+017F→s. */
export function goFoldKey(key: string): string {
  let out = '';
  for (const ch of key) {
    if (ch === '\u212A') out += 'k';
    else if (ch === '\u017F') out += 's';
    else if (ch >= 'A' && ch <= 'Z') out += ch.toLowerCase();
    else out += ch;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Go types, values and the decoder.

export type GoType =
  | { readonly kind: 'bool' }
  | { readonly kind: 'string' }
  | { readonly kind: 'int' }
  | { readonly kind: 'slice'; readonly elem: GoType }
  | { readonly kind: 'map'; readonly elem: GoType }
  | {
      readonly kind: 'struct';
      readonly name: string;
      readonly fields: readonly (readonly [string, GoType])[];
    }
  | { readonly kind: 'ptr'; readonly elem: GoType }
  /** docker's strslice.StrSlice: a string or an array of strings, decoded afresh by its own UnmarshalJSON. */
  | { readonly kind: 'strslice' }
  /** A field bulkhead does not inspect: any JSON accepted, kept raw. */
  | { readonly kind: 'any' };

export const goBool: GoType = { kind: 'bool' };
export const goString: GoType = { kind: 'string' };
export const goInt: GoType = { kind: 'int' };
export const goAny: GoType = { kind: 'any' };
export const goStrSlice: GoType = { kind: 'strslice' };
export const goSlice = (elem: GoType): GoType => ({ kind: 'slice', elem });
export const goMap = (elem: GoType): GoType => ({ kind: 'map', elem });
export const goPtr = (elem: GoType): GoType => ({ kind: 'ptr', elem });
export const goStruct = (name: string, fields: readonly (readonly [string, GoType])[]): GoType => ({
  kind: 'struct',
  name,
  fields,
});

/** A Go slice: `backing` is its array up to capacity, so stale elements past `len` are modelled like Go's. */
export interface GoSlice {
  readonly kind: 'slice';
  len: number;
  backing: GoValue[];
}
export interface GoStructValue {
  readonly kind: 'struct';
  readonly fields: Map<string, GoValue>;
}
export type GoValue =
  | null
  | boolean
  | string
  | number
  | GoSlice
  | GoStructValue
  | Map<string, GoValue>
  | readonly string[]
  | JsonNode;

export interface DecodeContext {
  /** Type errors, as Go's UnmarshalTypeError: the decode goes on and dockerd then refuses the request. */
  readonly errors: string[];
  /** Called for every struct field a key matched, with the path of the struct. */
  readonly onField?: (structName: string, field: string) => void;
}

export function zeroValue(type: GoType): GoValue {
  switch (type.kind) {
    case 'bool':
      return false;
    case 'string':
      return '';
    case 'int':
      return 0;
    case 'struct':
      return { kind: 'struct', fields: new Map() };
    case 'slice':
    case 'map':
    case 'ptr':
    case 'strslice':
    case 'any':
      return null;
    default:
      return type satisfies never;
  }
}

function describe(node: JsonNode): string {
  switch (node.t) {
    case 'null':
      return 'null';
    case 'bool':
      return 'bool';
    case 'num':
      return 'number';
    case 'str':
      return 'string';
    case 'arr':
      return 'array';
    case 'obj':
      return 'object';
    default:
      return node satisfies never;
  }
}

function typeName(type: GoType): string {
  switch (type.kind) {
    case 'struct':
      return type.name;
    case 'slice':
      return `[]${typeName(type.elem)}`;
    case 'map':
      return `map[string]${typeName(type.elem)}`;
    case 'ptr':
      return `*${typeName(type.elem)}`;
    case 'strslice':
      return 'strslice.StrSlice';
    case 'bool':
    case 'string':
    case 'int':
    case 'any':
      return type.kind;
    default:
      return type satisfies never;
  }
}

/** Decodes `node` into a value of `type` that currently holds `current`, returning the new value. */
export function goDecode(
  type: GoType,
  node: JsonNode,
  current: GoValue,
  ctx: DecodeContext,
  path = '',
): GoValue {
  const mismatch = (): GoValue => {
    ctx.errors.push(`cannot unmarshal ${describe(node)} into ${path || 'value'} of type ${typeName(type)}`);
    return current;
  };
  switch (type.kind) {
    case 'any':
      return node.t === 'null' ? null : node;
    case 'bool':
      if (node.t === 'null') return current;
      return node.t === 'bool' ? node.v : mismatch();
    case 'string':
      if (node.t === 'null') return current;
      return node.t === 'str' ? node.v : mismatch();
    case 'int':
      if (node.t === 'null') return current;
      if (node.t !== 'num') return mismatch();
      if (/[.eE]/.test(node.raw)) return mismatch();
      return Number(node.raw);
    case 'strslice':
      return decodeStrSlice(node, current, ctx, path);
    case 'ptr': {
      if (node.t === 'null') return null;
      // json.indirect reuses a non-nil pointer, so an object merges into what an earlier key set
      const base = current ?? zeroValue(type.elem);
      return goDecode(type.elem, node, base, ctx, path);
    }
    case 'map': {
      if (node.t === 'null') return null;
      if (node.t !== 'obj') return mismatch();
      const map = current instanceof Map ? current : new Map<string, GoValue>();
      for (const [key, value] of node.entries) {
        // map elements are decoded into a fresh zero value each time (decode.go object(): mapElem)
        map.set(key, goDecode(type.elem, value, zeroValue(type.elem), ctx, `${path}[${key}]`));
      }
      return map;
    }
    case 'slice': {
      if (node.t === 'null') return null;
      if (node.t !== 'arr') return mismatch();
      const slice: GoSlice = isSlice(current) ? current : { kind: 'slice', len: 0, backing: [] };
      let i = 0;
      for (const item of node.items) {
        if (i >= slice.backing.length) {
          // reflect growth as in decode.go array(): copy len elements into a bigger array of zero values
          const cap = slice.backing.length;
          const newCap = Math.max(cap + Math.floor(cap / 2), 4);
          const grown: GoValue[] = [];
          for (let k = 0; k < newCap; k += 1)
            grown.push(k < slice.len ? (slice.backing[k] ?? null) : zeroValue(type.elem));
          slice.backing = grown;
        }
        if (i >= slice.len) slice.len = i + 1;
        slice.backing[i] = goDecode(
          type.elem,
          item,
          slice.backing[i] ?? zeroValue(type.elem),
          ctx,
          `${path}[${i}]`,
        );
        i += 1;
      }
      if (i === 0) return { kind: 'slice', len: 0, backing: [] };
      slice.len = i;
      return slice;
    }
    case 'struct': {
      if (node.t === 'null') return current;
      if (node.t !== 'obj') return mismatch();
      const value: GoStructValue =
        current !== null && typeof current === 'object' && 'kind' in current && current.kind === 'struct'
          ? current
          : { kind: 'struct', fields: new Map() };
      for (const [key, child] of node.entries) {
        const field = findField(type.fields, key);
        if (field === undefined) continue;
        const [name, fieldType] = field;
        ctx.onField?.(type.name, name);
        value.fields.set(
          name,
          goDecode(
            fieldType,
            child,
            value.fields.get(name) ?? zeroValue(fieldType),
            ctx,
            path ? `${path}.${name}` : name,
          ),
        );
      }
      return value;
    }
    default:
      return type satisfies never;
  }
}

function decodeStrSlice(node: JsonNode, current: GoValue, ctx: DecodeContext, path: string): GoValue {
  // strslice.UnmarshalJSON: json.Unmarshal into []string, else into string; null gives nil
  if (node.t === 'null') return null;
  if (node.t === 'str') return [node.v];
  if (node.t === 'arr') {
    const out: string[] = [];
    for (const item of node.items) {
      if (item.t === 'str') out.push(item.v);
      else if (item.t === 'null') out.push('');
      else {
        ctx.errors.push(`cannot unmarshal ${describe(item)} into ${path} element of type string`);
        return current;
      }
    }
    return out;
  }
  ctx.errors.push(`cannot unmarshal ${describe(node)} into ${path} of type strslice.StrSlice`);
  return current;
}

interface FieldIndex {
  readonly exact: ReadonlyMap<string, readonly [string, GoType]>;
  /** Folded name -> the first field in declaration order with that folded name (Go's linear fold search). */
  readonly folded: ReadonlyMap<string, readonly [string, GoType]>;
}

const fieldIndexes = new WeakMap<readonly (readonly [string, GoType])[], FieldIndex>();

function findField(
  fields: readonly (readonly [string, GoType])[],
  key: string,
): readonly [string, GoType] | undefined {
  let index = fieldIndexes.get(fields);
  if (index === undefined) {
    const exact = new Map<string, readonly [string, GoType]>();
    const folded = new Map<string, readonly [string, GoType]>();
    for (const field of fields) {
      if (!exact.has(field[0])) exact.set(field[0], field);
      const f = field[0].toLowerCase();
      if (!folded.has(f)) folded.set(f, field);
    }
    index = { exact, folded };
    fieldIndexes.set(fields, index);
  }
  return index.exact.get(key) ?? index.folded.get(goFoldKey(key));
}

export function isSlice(value: GoValue | undefined): value is GoSlice {
  return value !== null && typeof value === 'object' && 'kind' in value && value.kind === 'slice';
}

export function isStruct(value: GoValue | undefined): value is GoStructValue {
  return value !== null && typeof value === 'object' && 'kind' in value && value.kind === 'struct';
}

/** The elements of a slice value (len, not cap), or of a strslice. */
export function sliceItems(value: GoValue | undefined): GoValue[] {
  if (Array.isArray(value)) return [...(value as readonly string[])];
  if (isSlice(value)) return value.backing.slice(0, value.len);
  return [];
}

export function structField(value: GoValue | undefined, name: string): GoValue | undefined {
  return isStruct(value) ? value.fields.get(name) : undefined;
}

export function asString(value: GoValue | undefined): string {
  return typeof value === 'string' ? value : '';
}

export function asBool(value: GoValue | undefined): boolean {
  return value === true;
}

export function asStringList(value: GoValue | undefined): string[] {
  return sliceItems(value).map((v) => (typeof v === 'string' ? v : ''));
}

export function asStringMap(value: GoValue | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (value instanceof Map) for (const [k, v] of value) out.set(k, typeof v === 'string' ? v : '');
  return out;
}
