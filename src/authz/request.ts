// Turns an AuthZReq into what dockerd will act on: the route mux will dispatch to (percent-decoded, clean path,
// with or without /vX.Y), Go's query parsing (first value wins, ';' rejected), the caller's identity, and the
// body as dockerd's authz middleware forwarded it (moby pkg/authorization/authz.go: JSON content types only,
// bodies of 1 MiB and more are dropped, chunked bodies forwarded on CVE-2024-41110-patched builds).
import { parseFirstJsonValue, JsonSyntaxError, type JsonNode } from './go-json.js';
import { decodeBase64, type AuthzRequest } from './protocol.js';
import { ACTION_BY_NAME, matchRoute, splitVersion, type ActionInfo, type RouteMatch } from './routes.js';

/** moby pkg/authorization: `maxBodySize = 1048576`; a body this size or larger is not forwarded. */
export const MAX_FORWARDED_BODY = 1048576;

export type Identity =
  { readonly kind: 'anonymous' } | { readonly kind: 'user'; readonly name: string; readonly authn: string };

export type BodyState =
  | { readonly state: 'empty' }
  | { readonly state: 'json'; readonly node: JsonNode; readonly trailing: boolean }
  | { readonly state: 'invalid'; readonly error: string }
  | { readonly state: 'hidden'; readonly reason: string };

export interface DecodedRequest {
  readonly identity: Identity;
  readonly method: string;
  readonly uri: string;
  /** Percent-decoded path without the version prefix. */
  readonly path: string;
  readonly version: string | undefined;
  readonly query: ReadonlyMap<string, readonly string[]>;
  readonly match: RouteMatch | undefined;
  readonly action: ActionInfo | undefined;
  readonly body: BodyState;
  /** Reasons dockerd's own parsing makes this request unsafe to judge; any one means deny. */
  readonly problems: readonly string[];
}

export function identityName(identity: Identity): string {
  return identity.kind === 'anonymous' ? '<anonymous>' : identity.name;
}

/** Go's url.PathUnescape-style decoding of %XX (no '+' rule); undefined on a malformed escape. */
export function unescapeGo(text: string, plusIsSpace: boolean): string | undefined {
  const bytes: number[] = [];
  const raw = Buffer.from(text, 'utf8');
  for (let i = 0; i < raw.length; i += 1) {
    const b = raw[i] ?? 0;
    if (b === 0x25) {
      const hex = raw.subarray(i + 1, i + 3).toString('latin1');
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) return undefined;
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (b === 0x2b && plusIsSpace) bytes.push(0x20);
    else bytes.push(b);
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Go's url.ParseQuery: '&'-separated, ';' is an error (Go >= 1.17), malformed escapes are errors. */
export function parseGoQuery(raw: string): { values: Map<string, string[]>; errors: string[] } {
  const values = new Map<string, string[]>();
  const errors: string[] = [];
  for (const part of raw.split('&')) {
    if (part === '') continue;
    if (part.includes(';')) {
      errors.push(`invalid semicolon separator in query (${part})`);
      continue;
    }
    const eq = part.indexOf('=');
    const key = unescapeGo(eq < 0 ? part : part.slice(0, eq), true);
    const value = unescapeGo(eq < 0 ? '' : part.slice(eq + 1), true);
    if (key === undefined || value === undefined) {
      errors.push(`invalid escape in query (${part})`);
      continue;
    }
    const list = values.get(key) ?? [];
    list.push(value);
    values.set(key, list);
  }
  return { values, errors };
}

/** First value of a query parameter, as Go's url.Values.Get. */
export function queryGet(query: ReadonlyMap<string, readonly string[]>, key: string): string {
  return query.get(key)?.[0] ?? '';
}

/** path.Clean plus mux's trailing-slash rule (gorilla/mux cleanPath). */
export function cleanMuxPath(p: string): string {
  if (p === '') return '/';
  const input = p.startsWith('/') ? p : `/${p}`;
  const out: string[] = [];
  for (const seg of input.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  let cleaned = `/${out.join('/')}`;
  if (input.endsWith('/') && cleaned !== '/') cleaned += '/';
  return cleaned;
}

/** Splits a RequestURI (origin-form or absolute-form, as Go's server accepts both) into raw path and query. */
function splitRequestUri(uri: string): { rawPath: string; rawQuery: string } | undefined {
  let rest = uri;
  const abs = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?]*/.exec(rest);
  if (abs !== null) rest = rest.slice(abs[0].length);
  if (rest === '' && abs !== null) rest = '/';
  if (!rest.startsWith('/')) return undefined;
  const q = rest.indexOf('?');
  return q < 0 ? { rawPath: rest, rawQuery: '' } : { rawPath: rest.slice(0, q), rawQuery: rest.slice(q + 1) };
}

function headerValue(
  headers: Readonly<Record<string, string>> | null | undefined,
  name: string,
): string | undefined {
  if (headers === null || headers === undefined) return undefined;
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === lower) return value;
  return undefined;
}

/** The media type as Go's mime.ParseMediaType reads it (lower-cased, parameters dropped), or undefined. */
export function mediaType(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined;
  const base = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(base) ? base : undefined;
}

const UTF8 = new TextDecoder('utf-8', { fatal: false });

function readBody(req: AuthzRequest): BodyState {
  const encoded = req.RequestBody ?? '';
  const contentType = headerValue(req.RequestHeaders, 'Content-Type');
  const lengthHeader = headerValue(req.RequestHeaders, 'Content-Length');
  const length = lengthHeader === undefined ? undefined : Number(lengthHeader);
  if (encoded !== '') {
    const bytes = decodeBase64(encoded);
    if (bytes === undefined) return { state: 'invalid', error: 'RequestBody is not valid base64' };
    if (bytes.length >= MAX_FORWARDED_BODY) {
      return { state: 'hidden', reason: `body of ${bytes.length} bytes is over dockerd's 1 MiB authz limit` };
    }
    try {
      // Go decodes JSON from bytes; invalid UTF-8 becomes U+FFFD, as TextDecoder's replacement does
      const parsed = parseFirstJsonValue(UTF8.decode(bytes));
      return { state: 'json', node: parsed.node, trailing: parsed.trailing };
    } catch (error) {
      if (error instanceof JsonSyntaxError)
        return { state: 'invalid', error: `malformed JSON body: ${error.message}` };
      throw error;
    }
  }
  const type = mediaType(contentType);
  if (length !== undefined && Number.isFinite(length) && length >= MAX_FORWARDED_BODY) {
    return {
      state: 'hidden',
      reason: `body of ${length} bytes is over dockerd's 1 MiB authz limit, so dockerd did not forward it`,
    };
  }
  if (length !== undefined && length > 0) {
    return {
      state: 'hidden',
      reason:
        type === 'application/json'
          ? 'the body was announced but not forwarded'
          : `content type ${contentType ?? '(none)'} is not application/json, so dockerd did not forward the body`,
    };
  }
  if (length === undefined && contentType !== undefined) {
    // no Content-Length with a content type: a chunked body that was too large, or not JSON
    return {
      state: 'hidden',
      reason: `a chunked ${contentType} body was not forwarded (not JSON, or 1 MiB or more)`,
    };
  }
  return { state: 'empty' };
}

/** Decodes an AuthZReq/AuthZRes payload; never throws for hostile input. */
export function decodeRequest(req: AuthzRequest): DecodedRequest {
  const problems: string[] = [];
  // dockerd sets User to the client certificate's Subject CN and UserAuthNMethod to "TLS" (pkg/authorization
  // middleware), both omitted when empty: a certificate without a CN arrives with an AuthN method and no User,
  // which is a user without a name, never the anonymous identity
  const authn = req.UserAuthNMethod ?? '';
  const identity: Identity =
    (req.User === undefined || req.User === null || req.User === '') && authn === ''
      ? { kind: 'anonymous' }
      : { kind: 'user', name: req.User ?? '', authn };
  const method = req.RequestMethod;
  const uri = req.RequestUri;
  let path = '';
  let version: string | undefined;
  let query = new Map<string, string[]>();
  const split = splitRequestUri(uri);
  if (split === undefined) problems.push(`request URI ${JSON.stringify(uri)} is not a path`);
  else {
    const decoded = unescapeGo(split.rawPath, false);
    if (decoded === undefined)
      problems.push('request path has a malformed percent-escape (dockerd rejects it)');
    else if (cleanMuxPath(decoded) !== decoded) {
      problems.push(
        `request path ${JSON.stringify(decoded)} is not canonical (dockerd redirects it, never runs it)`,
      );
    } else {
      const v = splitVersion(decoded);
      path = v.path;
      version = v.version;
    }
    const q = parseGoQuery(split.rawQuery);
    query = q.values;
    problems.push(...q.errors.map((e) => `${e}: dockerd rejects such query strings`));
  }
  const contentType = mediaType(headerValue(req.RequestHeaders, 'Content-Type'));
  const lengthHeader = headerValue(req.RequestHeaders, 'Content-Length');
  if (
    ['POST', 'PUT', 'PATCH'].includes(method) &&
    contentType === 'application/x-www-form-urlencoded' &&
    lengthHeader !== '0'
  ) {
    problems.push('a form-encoded body overrides query parameters in dockerd and is hidden from plugins');
  }
  const match = problems.length === 0 ? matchRoute(method, path) : undefined;
  if (problems.length === 0 && match === undefined) {
    problems.push(`no Engine API route for ${method} ${path} (unknown to bulkhead's route table)`);
  }
  let action = match === undefined ? undefined : ACTION_BY_NAME.get(match.route.action);
  // POST /images/create pulls with ?fromImage=, and otherwise imports a tarball (daemon postImagesCreate)
  if (action?.name === 'image_pull' && queryGet(query, 'fromImage') === '')
    action = ACTION_BY_NAME.get('image_import');
  return { identity, method, uri, path, version, query, match, action, body: readBody(req), problems };
}
