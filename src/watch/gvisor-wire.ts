// Decodes what runsc's remote trace sink sends (gVisor pkg/sentry/seccheck/sinks/remote/wire/wire.go: an 8-byte
// little-endian header {header size u16, message type u16, dropped count u32} then one protobuf message of
// pkg/sentry/seccheck/points/{common,sentry,container}.proto), by hand and only the fields watch uses. The sentry is
// not trusted (gVisor's threat model; remote/README.md "Security Considerations"): every length, count, field type
// and string is bounded, and anything malformed is an error value, never an exception.

/** wire.CurrentVersion; the handshake both sides send is common.proto `Handshake { uint32 version = 1; }`. */
export const TRACE_WIRE_VERSION = 1;
/** Longest message accepted (the recv cap); a point with a huge argv or environment is counted and skipped. */
export const MAX_TRACE_MESSAGE = 64 * 1024;
const MIN_HEADER = 8;
const MAX_HEADER = 1024;
const MAX_STRING = 4096;
const MAX_ARGV = 256;

/** common.proto MessageType values watch reads. */
export const MESSAGE_TYPE = {
  containerStart: 1,
  clone: 2,
  exec: 3,
  exitNotifyParent: 4,
  taskExit: 5,
} as const;
/** The highest MessageType of the protocol version this decoder follows (MESSAGE_SYSCALL_WRITE = 34). */
const LAST_KNOWN_TYPE = 34;

/** common.proto ContextData (the fields a session asks for; absent ones are undefined). */
export interface TraceContext {
  readonly timeNs?: bigint;
  /** Thread and thread group ids in the sandbox's root PID namespace (not host pids). */
  readonly threadId?: number;
  readonly threadGroupId?: number;
  readonly containerId?: string;
  readonly realUid?: number;
  readonly effectiveUid?: number;
  readonly cwd?: string;
  readonly processName?: string;
}

export type TracePoint =
  | {
      readonly type: 'exec';
      readonly context: TraceContext;
      /** The executable after symlinks, in the mount namespace it was opened in. */
      readonly binaryPath: string;
      readonly argv: readonly string[];
      /** argv had more entries or longer strings than the decoder keeps. */
      readonly truncated: boolean;
    }
  | {
      readonly type: 'clone';
      readonly context: TraceContext;
      readonly createdThreadGroupId: number;
      readonly createdThreadId: number;
    }
  | { readonly type: 'exit'; readonly context: TraceContext; readonly exitStatus: number }
  | {
      readonly type: 'container-start';
      readonly context: TraceContext;
      readonly id: string;
      readonly args: readonly string[];
      readonly terminal: boolean;
    }
  /** A known message type watch does not use (syscall points, task_exit). */
  | { readonly type: 'other'; readonly messageType: number };

export type TraceDecode =
  | { readonly ok: true; readonly dropped: number; readonly point: TracePoint }
  | { readonly ok: false; readonly error: string };

class WireError extends Error {}

type Field =
  | { readonly no: number; readonly wire: 0; readonly value: bigint }
  | { readonly no: number; readonly wire: 2; readonly value: Buffer }
  | { readonly no: number; readonly wire: 1 | 5 };

function readVarint(buf: Buffer, at: number): [bigint, number] {
  let value = 0n;
  for (let i = 0; i < 10; i += 1) {
    const byte = buf[at + i];
    if (byte === undefined) throw new WireError('varint runs past the end');
    value |= BigInt(byte & 0x7f) << BigInt(7 * i);
    if ((byte & 0x80) === 0) return [value & 0xffff_ffff_ffff_ffffn, at + i + 1];
  }
  throw new WireError('varint longer than 10 bytes');
}

/** The fields of one message, in order; unknown field numbers are kept for the caller to ignore. */
function fields(buf: Buffer): Field[] {
  const out: Field[] = [];
  let at = 0;
  while (at < buf.length) {
    const [key, next] = readVarint(buf, at);
    at = next;
    const no = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (no === 0 || no > 536_870_911) throw new WireError(`invalid field number ${no}`);
    if (wire === 0) {
      const [value, after] = readVarint(buf, at);
      out.push({ no, wire, value });
      at = after;
    } else if (wire === 2) {
      const [len, after] = readVarint(buf, at);
      if (len > BigInt(buf.length - after))
        throw new WireError(`field ${no} length ${len} runs past the end`);
      out.push({ no, wire, value: buf.subarray(after, after + Number(len)) });
      at = after + Number(len);
    } else if (wire === 1 || wire === 5) {
      const size = wire === 1 ? 8 : 4;
      if (at + size > buf.length) throw new WireError(`field ${no} runs past the end`);
      out.push({ no, wire });
      at += size;
    } else throw new WireError(`field ${no} has unsupported wire type ${wire}`);
  }
  return out;
}

function varintOf(f: Field): bigint {
  if (f.wire !== 0) throw new WireError(`field ${f.no} should be a varint`);
  return f.value;
}

function bytesOf(f: Field): Buffer {
  if (f.wire !== 2) throw new WireError(`field ${f.no} should be length-delimited`);
  return f.value;
}

/** int32 on the wire is a sign-extended 64-bit varint. */
function int32Of(f: Field): number {
  return Number(BigInt.asIntN(32, varintOf(f)));
}

function uint32Of(f: Field): number {
  return Number(BigInt.asUintN(32, varintOf(f)));
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** A bounded string (invalid UTF-8 becomes U+FFFD; NULs are dropped so paths and logs stay one field). */
function stringOf(f: Field): { text: string; truncated: boolean } {
  const raw = bytesOf(f);
  const truncated = raw.length > MAX_STRING;
  // eslint-disable-next-line no-control-regex -- the sentry may send NULs; they must not reach paths or logs
  const text = utf8.decode(truncated ? raw.subarray(0, MAX_STRING) : raw).replace(/\u0000/g, '');
  return { text, truncated };
}

function decodeContext(buf: Buffer): TraceContext {
  const c: {
    -readonly [K in keyof TraceContext]: TraceContext[K];
  } = {};
  for (const f of fields(buf)) {
    switch (f.no) {
      case 1:
        c.timeNs = BigInt.asIntN(64, varintOf(f));
        break;
      case 2:
        c.threadId = int32Of(f);
        break;
      case 4:
        c.threadGroupId = int32Of(f);
        break;
      case 6:
        c.containerId = stringOf(f).text;
        break;
      case 7:
        // proto3 leaves zero fields out: an empty Credentials is uid 0
        c.realUid = 0;
        c.effectiveUid = 0;
        for (const cred of fields(bytesOf(f))) {
          if (cred.no === 1) c.realUid = uint32Of(cred);
          else if (cred.no === 2) c.effectiveUid = uint32Of(cred);
        }
        break;
      case 8:
        c.cwd = stringOf(f).text;
        break;
      case 9:
        c.processName = stringOf(f).text;
        break;
      default:
        break;
    }
  }
  return c;
}

function decodeExec(buf: Buffer): TracePoint {
  let context: TraceContext = {};
  let binaryPath = '';
  const argv: string[] = [];
  let truncated = false;
  for (const f of fields(buf)) {
    if (f.no === 1) context = decodeContext(bytesOf(f));
    else if (f.no === 2) binaryPath = stringOf(f).text;
    else if (f.no === 3) {
      const s = stringOf(f);
      if (argv.length < MAX_ARGV) argv.push(s.text);
      else truncated = true;
      truncated ||= s.truncated;
    } else if (f.no === 4) bytesOf(f); // env: type-checked, not kept
  }
  return { type: 'exec', context, binaryPath, argv, truncated };
}

function decodeClone(buf: Buffer): TracePoint {
  let context: TraceContext = {};
  let createdThreadId = 0;
  let createdThreadGroupId = 0;
  for (const f of fields(buf)) {
    if (f.no === 1) context = decodeContext(bytesOf(f));
    else if (f.no === 3) createdThreadId = int32Of(f);
    else if (f.no === 4) createdThreadGroupId = int32Of(f);
  }
  return { type: 'clone', context, createdThreadId, createdThreadGroupId };
}

function decodeExit(buf: Buffer): TracePoint {
  let context: TraceContext = {};
  let exitStatus = 0;
  for (const f of fields(buf)) {
    if (f.no === 1) context = decodeContext(bytesOf(f));
    else if (f.no === 2) exitStatus = int32Of(f);
  }
  return { type: 'exit', context, exitStatus };
}

function decodeStart(buf: Buffer): TracePoint {
  let context: TraceContext = {};
  let id = '';
  const args: string[] = [];
  let terminal = false;
  for (const f of fields(buf)) {
    if (f.no === 1) context = decodeContext(bytesOf(f));
    else if (f.no === 2) id = stringOf(f).text;
    else if (f.no === 4 && args.length < MAX_ARGV) args.push(stringOf(f).text);
    else if (f.no === 6) terminal = varintOf(f) !== 0n;
  }
  return { type: 'container-start', context, id, args, terminal };
}

/** One message as received (header + payload). */
export function decodeTraceMessage(message: Buffer): TraceDecode {
  if (message.length < MIN_HEADER)
    return { ok: false, error: `message of ${message.length} bytes has no header` };
  if (message.length > MAX_TRACE_MESSAGE)
    return { ok: false, error: `message of ${message.length} bytes exceeds ${MAX_TRACE_MESSAGE}` };
  const headerSize = message.readUInt16LE(0);
  const type = message.readUInt16LE(2);
  const dropped = message.readUInt32LE(4);
  if (headerSize < MIN_HEADER || headerSize > MAX_HEADER || headerSize > message.length)
    return { ok: false, error: `header size ${headerSize} is invalid for a ${message.length}-byte message` };
  if (type === 0 || type > LAST_KNOWN_TYPE) return { ok: false, error: `unknown message type ${type}` };
  const payload = message.subarray(headerSize);
  try {
    const point =
      type === MESSAGE_TYPE.exec
        ? decodeExec(payload)
        : type === MESSAGE_TYPE.clone
          ? decodeClone(payload)
          : type === MESSAGE_TYPE.exitNotifyParent
            ? decodeExit(payload)
            : type === MESSAGE_TYPE.containerStart
              ? decodeStart(payload)
              : ({ type: 'other', messageType: type } as const);
    return { ok: true, dropped, point };
  } catch (error) {
    if (error instanceof WireError) return { ok: false, error: `message type ${type}: ${error.message}` };
    throw error;
  }
}

/** The sentry's handshake (the first message on a connection): its protocol version. */
export function decodeHandshake(
  message: Buffer,
): { ok: true; version: number } | { ok: false; error: string } {
  if (message.length > 1024) return { ok: false, error: `handshake of ${message.length} bytes` };
  try {
    let version = 0;
    for (const f of fields(message)) if (f.no === 1) version = uint32Of(f);
    if (version < 1) return { ok: false, error: `handshake version ${version}` };
    return { ok: true, version };
  } catch (error) {
    if (error instanceof WireError) return { ok: false, error: `handshake: ${error.message}` };
    throw error;
  }
}

/** Our reply: Handshake { version: TRACE_WIRE_VERSION }. */
export function encodeHandshake(): Buffer {
  return Buffer.from([0x08, TRACE_WIRE_VERSION]);
}
