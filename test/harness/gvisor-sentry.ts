// Plays the gVisor sentry's side of the remote trace sink for tests: encodes wire messages (8-byte header +
// protobuf of pkg/sentry/seccheck/points/*.proto) the way remote.go writes them, and well-formed-looking hostile ones.

export function varint(value: number | bigint): Buffer {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  do {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v === 0n ? byte : byte | 0x80);
  } while (v !== 0n);
  return Buffer.from(out);
}

export function fieldVarint(no: number, value: number | bigint): Buffer {
  return Buffer.concat([varint((no << 3) | 0), varint(value)]);
}

export function fieldBytes(no: number, value: Buffer | string): Buffer {
  const b = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  return Buffer.concat([varint((no << 3) | 2), varint(b.length), b]);
}

export interface ContextFields {
  readonly tgid?: number;
  readonly containerId?: string;
  readonly uid?: number;
  readonly processName?: string;
}

export function context(c: ContextFields): Buffer {
  return Buffer.concat([
    fieldVarint(1, 1_796_282_876_022_194_530n),
    ...(c.tgid === undefined ? [] : [fieldVarint(2, c.tgid), fieldVarint(4, c.tgid)]),
    ...(c.containerId === undefined ? [] : [fieldBytes(6, c.containerId)]),
    fieldBytes(
      7,
      c.uid === undefined || c.uid === 0
        ? Buffer.alloc(0)
        : Buffer.concat([fieldVarint(1, c.uid), fieldVarint(2, c.uid)]),
    ),
    fieldBytes(8, '/'),
    ...(c.processName === undefined ? [] : [fieldBytes(9, c.processName)]),
  ]);
}

export function header(type: number, dropped = 0, headerSize = 8): Buffer {
  const h = Buffer.alloc(Math.max(8, headerSize));
  h.writeUInt16LE(headerSize, 0);
  h.writeUInt16LE(type, 2);
  h.writeUInt32LE(dropped, 4);
  return h;
}

/** sentry.proto ExecveInfo as MESSAGE_SENTRY_EXEC (3). */
export function execMessage(
  c: ContextFields,
  binaryPath: string,
  argv: readonly string[],
  dropped = 0,
): Buffer {
  return Buffer.concat([
    header(3, dropped),
    fieldBytes(1, context(c)),
    fieldBytes(2, binaryPath),
    ...argv.map((a) => fieldBytes(3, a)),
    fieldBytes(4, 'PATH=/bin'),
  ]);
}

/** sentry.proto CloneInfo as MESSAGE_SENTRY_CLONE (2). */
export function cloneMessage(c: ContextFields, childTgid: number): Buffer {
  return Buffer.concat([
    header(2),
    fieldBytes(1, context(c)),
    fieldVarint(3, childTgid),
    fieldVarint(4, childTgid),
  ]);
}
