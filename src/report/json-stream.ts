// JSON text in pieces, byte for byte what JSON.stringify(value, null, 2) gives (ECMA-262 SerializeJSONProperty,
// SerializeJSONObject, SerializeJSONArray with a two-space gap), so a report of any size is written without building
// one string: V8 caps a string at 2^29 - 24 characters, which JSON.stringify of a report passes at ~140k findings
// ("Invalid string length"). Containers down to `depth` are written member by member; anything deeper is one
// JSON.stringify call, made at the nesting it sits at so V8 indents it (see stringifyAt).

/**
 * An array written element by element as `items()` yields them, never held whole (SARIF results mapped from
 * findings), at any depth; each element is one JSON.stringify call. `items` is called once per serialisation.
 */
export class LazyJsonArray<T> {
  constructor(readonly items: () => Iterable<T>) {}

  /** The same array materialised: what JSON.stringify of the document would have been given. */
  toJSON(): T[] {
    return [...this.items()];
  }
}

const GAP = '  ';

interface HasToJson {
  toJSON: (key: string) => unknown;
}

function hasToJson(value: unknown): value is HasToJson {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { toJSON?: unknown }).toJSON === 'function' &&
    !(value instanceof LazyJsonArray)
  );
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** undefined, functions and symbols have no JSON text: skipped as object members, "null" as array elements. */
function isOmitted(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol';
}

/** Elements stringified in one JSON.stringify call: few calls, and a chunk of at most a few hundred KiB. */
const BATCH = 128;

/**
 * The JSON text of `values` as elements of an array at nesting `level`, joined by ",\n" and the indent: wrapped in
 * `level` arrays, one JSON.stringify call indents them exactly as they stand in the document, and the wrapping is
 * cut off again (a slice, not a re-indenting pass over the text). Array elements that are undefined become "null".
 */
function stringifyAt(values: readonly unknown[], level: number): string {
  // callers never pass an omitted value (undefined, a function) at the top level, so this is a string
  if (level === 0) return JSON.stringify(values[0], null, 2);
  let wrapped: unknown = values;
  for (let i = 1; i < level; i += 1) wrapped = [wrapped];
  const text = JSON.stringify(wrapped, null, 2);
  // each wrapping level i opens with 2i spaces + "[\n" and closes with "\n" + 2i spaces + "]"
  const frame = level * (level + 1);
  return text.slice(frame + 2 * level, text.length - frame);
}

function* serialize(value: unknown, indent: string, depth: number): Generator<string> {
  if (value instanceof LazyJsonArray) {
    yield* serializeArray(value.items() as Iterable<unknown>, indent, 1);
    return;
  }
  if (depth > 0 && typeof value === 'object' && value !== null) {
    if (Array.isArray(value)) {
      yield* serializeArray(value as unknown[], indent, depth);
      return;
    }
    if (isPlainObject(value)) {
      yield* serializeObject(value, indent, depth);
      return;
    }
  }
  yield stringifyAt([value], indent.length / GAP.length);
}

function* serializeArray(items: Iterable<unknown>, indent: string, depth: number): Generator<string> {
  const inner = indent + GAP;
  let first = true;
  if (depth <= 1) {
    // the elements are leaves: stringified in batches (toJSON gets the index within the batch as its key)
    const level = inner.length / GAP.length;
    let batch: unknown[] = [];
    for (const item of items) {
      batch.push(item);
      if (batch.length < BATCH) continue;
      yield `${first ? '[\n' : ',\n'}${inner}${stringifyAt(batch, level)}`;
      first = false;
      batch = [];
    }
    if (batch.length > 0) {
      yield `${first ? '[\n' : ',\n'}${inner}${stringifyAt(batch, level)}`;
      first = false;
    }
    yield first ? '[]' : `\n${indent}]`;
    return;
  }
  let index = 0;
  for (let item of items) {
    if (hasToJson(item)) item = item.toJSON(String(index));
    index += 1;
    yield first ? `[\n${inner}` : `,\n${inner}`;
    first = false;
    if (isOmitted(item)) yield 'null';
    else yield* serialize(item, inner, depth - 1);
  }
  yield first ? '[]' : `\n${indent}]`;
}

function* serializeObject(object: Record<string, unknown>, indent: string, depth: number): Generator<string> {
  const inner = indent + GAP;
  let first = true;
  for (const key of Object.keys(object)) {
    let member = object[key];
    if (hasToJson(member)) member = member.toJSON(key);
    if (isOmitted(member)) continue;
    yield `${first ? '{\n' : ',\n'}${inner}${JSON.stringify(key)}: `;
    first = false;
    yield* serialize(member, inner, depth - 1);
  }
  yield first ? '{}' : `\n${indent}}`;
}

/**
 * The pieces of JSON.stringify(value, null, 2) in chunks of at least `chunkSize` characters (the last one shorter; a
 * batch of array elements may make one longer). `depth` is how many container levels are written piece by piece
 * (0: one JSON.stringify call); below it, arrays go out BATCH elements per JSON.stringify call.
 */
export function* jsonChunks(value: unknown, depth: number, chunkSize = 1 << 16): Generator<string> {
  let top = value;
  if (hasToJson(top)) top = top.toJSON('');
  if (isOmitted(top)) return;
  // V8 concatenates into a rope: appending a batch's text copies nothing until the chunk is written
  let buffer = '';
  for (const piece of serialize(top, '', depth)) {
    buffer += piece;
    if (buffer.length >= chunkSize) {
      yield buffer;
      buffer = '';
    }
  }
  if (buffer !== '') yield buffer;
}
