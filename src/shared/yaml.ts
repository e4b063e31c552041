// YAML documents for hand-written config (audit config, lint config, authz policy and cases, scan ignore files):
// a syntax error or a schema issue names the file and the line:column of the node at fault (yaml's LineCounter).
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import { InputError } from './errors.js';

export interface YamlDocument {
  readonly doc: Document.Parsed;
  /** line:column of the deepest node that exists along `path` (the document's contents for []), if any. */
  readonly positionOf: (path: readonly PropertyKey[]) => string | undefined;
  /** line:column of the key node `key` inside the map at `path` (for unknown-key errors). */
  readonly keyPositionOf: (path: readonly PropertyKey[], key: string) => string | undefined;
}

export interface YamlOptions {
  /** Every scalar stays a string (an unquoted 2026-01-31 must not become a date). */
  readonly failsafe?: boolean;
  /** Reject duplicate keys (default true). */
  readonly uniqueKeys?: boolean;
  /** The fix to suggest for a syntax error. */
  readonly hint?: string;
  /** Builds the syntax error instead of InputError (for commands with their own error class). */
  readonly syntaxError?: (message: string, position: string) => Error;
}

function keysOf(path: readonly PropertyKey[]): (string | number)[] {
  return path.filter((p): p is string | number => typeof p !== 'symbol');
}

/** Parses YAML text; throws InputError "<source>:<line>:<col>: invalid YAML: <reason>" on a syntax error. */
export function parseYaml(text: string, source: string, options: YamlOptions = {}): YamlDocument {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: options.uniqueKeys ?? true,
    ...(options.failsafe === true ? { schema: 'failsafe' as const } : {}),
  });
  const at = (offset: number): string => {
    const { line, col } = lineCounter.linePos(offset);
    return `${line}:${col}`;
  };
  const first = doc.errors[0];
  if (first !== undefined) {
    const message = `invalid YAML: ${(first.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '')}`;
    const position = at(first.pos[0]);
    throw (
      options.syntaxError?.(message, position) ??
      new InputError(source, message, { position, hint: options.hint ?? 'fix the YAML syntax at that line' })
    );
  }
  const positionOf = (path: readonly PropertyKey[]): string | undefined => {
    const keys = keysOf(path);
    for (let n = keys.length; n >= 0; n -= 1) {
      const node: unknown = n === 0 ? doc.contents : doc.getIn(keys.slice(0, n), true);
      if (isNode(node) && node.range !== undefined && node.range !== null) return at(node.range[0]);
    }
    return undefined;
  };
  const keyPositionOf = (path: readonly PropertyKey[], key: string): string | undefined => {
    const keys = keysOf(path);
    const holder: unknown = keys.length === 0 ? doc.contents : doc.getIn(keys, true);
    if (holder === null || typeof holder !== 'object' || !('items' in holder) || !Array.isArray(holder.items))
      return undefined;
    for (const item of holder.items as unknown[]) {
      const keyNode = item !== null && typeof item === 'object' && 'key' in item ? item.key : undefined;
      if (
        isNode(keyNode) &&
        keyNode.toJSON() === key &&
        keyNode.range !== undefined &&
        keyNode.range !== null
      )
        return at(keyNode.range[0]);
    }
    return undefined;
  };
  return { doc, positionOf, keyPositionOf };
}
