// A small, defensive ZIP reader (PKWARE APPNOTE 6.3.x: end of central directory, central directory, local
// headers; stored and deflated entries) for OSV's all.zip feeds. Nothing is extracted to disk; unsafe names
// ("../x", "/etc/x", "C:\x") and oversized entries are reported, never followed.
import { inflateRawSync } from 'node:zlib';
import { InputError } from '../shared/errors.js';

export interface ZipEntry {
  readonly name: string;
  readonly size: number;
  /** Why the entry cannot be read (unsafe name, unsupported method, too big), if so. */
  readonly problem?: string;
  read(): Buffer;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const EOCD64 = 0x06064b50;
const EOCD64_LOCATOR = 0x07064b50;

export function isZip(data: Buffer): boolean {
  return data.length >= 4 && data.readUInt32LE(0) === LOCAL;
}

/** Unsafe when it could escape a directory if someone extracted it: absolute, drive letter, backslash, "..". */
export function unsafeZipName(name: string): boolean {
  return (
    name.startsWith('/') ||
    /^[A-Za-z]:/.test(name) ||
    name.includes('\\') ||
    name.includes('\u0000') ||
    name.split('/').includes('..')
  );
}

export function readZip(data: Buffer, subject: string, maxEntryBytes: number): ZipEntry[] {
  const bad = (why: string): InputError => new InputError(subject, `not a readable zip archive: ${why}`);
  // the end-of-central-directory record sits in the last 22 + 65535 bytes
  let eocd = -1;
  for (let i = data.length - 22; i >= Math.max(0, data.length - 22 - 65535); i--) {
    if (data.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd === -1) throw bad('no end of central directory');
  let count = data.readUInt16LE(eocd + 10);
  let cdSize = data.readUInt32LE(eocd + 12);
  let cdOffset = data.readUInt32LE(eocd + 16);
  // ZIP64 (APPNOTE 4.3.14-4.3.15): more than 65535 entries or 4 GiB; OSV's all.zip files can be that big
  const locator = eocd - 20;
  if (locator >= 0 && data.readUInt32LE(locator) === EOCD64_LOCATOR) {
    const at = Number(data.readBigUInt64LE(locator + 8));
    if (at + 56 > data.length || data.readUInt32LE(at) !== EOCD64)
      throw bad('damaged ZIP64 end of central directory');
    count = Number(data.readBigUInt64LE(at + 32));
    cdSize = Number(data.readBigUInt64LE(at + 40));
    cdOffset = Number(data.readBigUInt64LE(at + 48));
  } else if (cdOffset === 0xffffffff || count === 0xffff) {
    throw bad('ZIP64 sizes without a ZIP64 end of central directory');
  }
  if (cdOffset + cdSize > data.length) throw bad('central directory out of bounds');
  const entries: ZipEntry[] = [];
  let p = cdOffset;
  for (let n = 0; n < count; n++) {
    if (p + 46 > data.length || data.readUInt32LE(p) !== CENTRAL)
      throw bad(`central directory entry ${n} is damaged`);
    const flags = data.readUInt16LE(p + 8);
    const method = data.readUInt16LE(p + 10);
    const nameLen = data.readUInt16LE(p + 28);
    const extraLen = data.readUInt16LE(p + 30);
    const commentLen = data.readUInt16LE(p + 32);
    let compressed = data.readUInt32LE(p + 20);
    let size = data.readUInt32LE(p + 24);
    let local = data.readUInt32LE(p + 42);
    const name = data.toString('utf8', p + 46, p + 46 + nameLen);
    // ZIP64 extended information (header id 1): 8-byte values for the fields set to 0xFFFFFFFF, in this order
    for (let e = p + 46 + nameLen; e + 4 <= p + 46 + nameLen + extraLen;) {
      const id = data.readUInt16LE(e);
      const len = data.readUInt16LE(e + 2);
      if (id === 1) {
        let f = e + 4;
        const next = (): number => {
          const v = f + 8 <= e + 4 + len ? Number(data.readBigUInt64LE(f)) : NaN;
          f += 8;
          return v;
        };
        if (size === 0xffffffff) size = next();
        if (compressed === 0xffffffff) compressed = next();
        if (local === 0xffffffff) local = next();
      }
      e += 4 + len;
    }
    if (!Number.isSafeInteger(size) || !Number.isSafeInteger(compressed) || !Number.isSafeInteger(local)) {
      throw bad(`central directory entry ${n} has a damaged ZIP64 field`);
    }
    p += 46 + nameLen + extraLen + commentLen;
    let problem: string | undefined;
    if (unsafeZipName(name)) problem = `unsafe path ${JSON.stringify(name.slice(0, 100))} (path traversal)`;
    else if ((flags & 1) !== 0) problem = 'encrypted entry';
    else if (method !== 0 && method !== 8) problem = `unsupported compression method ${method}`;
    else if (size > maxEntryBytes)
      problem = `entry of ${size} bytes exceeds the ${maxEntryBytes}-byte record limit`;
    const read = (): Buffer => {
      if (problem !== undefined) throw bad(`${name}: ${problem}`);
      if (local + 30 > data.length || data.readUInt32LE(local) !== LOCAL)
        throw bad(`${name}: bad local header`);
      const start = local + 30 + data.readUInt16LE(local + 26) + data.readUInt16LE(local + 28);
      if (start + compressed > data.length) throw bad(`${name}: truncated`);
      const raw = data.subarray(start, start + compressed);
      if (method === 0) return Buffer.from(raw);
      try {
        // the declared size may lie (zip bomb): cap what inflate may produce
        return inflateRawSync(raw, { maxOutputLength: maxEntryBytes });
      } catch (error) {
        throw new InputError(
          subject,
          `${name}: cannot inflate (${error instanceof Error ? error.message : String(error)})`,
        );
      }
    };
    entries.push(problem === undefined ? { name, size, read } : { name, size, problem, read });
  }
  return entries;
}
