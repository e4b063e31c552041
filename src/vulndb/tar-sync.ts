// A small synchronous tar reader (POSIX ustar, with GNU 'L' long names and pax 'x' path records) over a plain or
// zstd-compressed buffer (RFC 8878 via fzstd's streaming decoder), for Red Hat's csaf_vex_YYYY-MM-DD.tar.zst: the
// archive is decompressed and walked piece by piece, so only one entry is in memory at a time. Entries larger than
// the limit, non-regular files and unsafe names are reported through `onSkip`, never read.
import { Decompress } from 'fzstd';
import { InputError } from '../shared/errors.js';
import { unsafeZipName } from './zip.js';

const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];

export function isZstd(data: Buffer): boolean {
  return ZSTD_MAGIC.every((b, i) => data[i] === b);
}

/** A ustar header: "ustar" at offset 257 and a valid octal checksum. */
export function isTar(data: Buffer): boolean {
  if (data.length < 512 || data.toString('latin1', 257, 262) !== 'ustar') return false;
  const stored = parseOctal(data.subarray(148, 156));
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : (data[i] ?? 0);
  return stored === sum;
}

function parseOctal(field: Buffer): number {
  const text = field.toString('latin1').replace(/\0.*$/s, '').trim();
  return /^[0-7]+$/.test(text) ? parseInt(text, 8) : NaN;
}

export interface TarCallbacks {
  readonly onEntry: (name: string, content: Buffer) => void;
  readonly onSkip: (name: string, reason: string) => void;
}

/** Walks every entry of a (zstd-compressed) tar held in `data`. */
export function walkTar(data: Buffer, subject: string, maxEntryBytes: number, callbacks: TarCallbacks): void {
  const bad = (why: string): InputError => new InputError(subject, `not a readable tar archive: ${why}`);
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  // held in an object: the zstd callback changes them where control-flow analysis cannot see it
  const state: { ended: boolean; failed: unknown } = { ended: false, failed: undefined };
  // parser state: waiting for a header, or collecting / skipping `remaining` bytes of an entry (+ padding)
  let entry:
    { name: string; size: number; keep: boolean; kind: 'file' | 'longname' | 'pax' | 'skip' } | undefined;
  let remaining = 0;
  let padding = 0;
  let longName: string | undefined;
  let body: Buffer[] = [];
  const take = (n: number): Buffer => {
    const all = pending.length === 1 ? (pending[0] ?? Buffer.alloc(0)) : Buffer.concat(pending, pendingBytes);
    const head = all.subarray(0, n);
    const rest = all.subarray(n);
    pending = rest.length > 0 ? [rest] : [];
    pendingBytes = rest.length;
    return head;
  };
  const finishEntry = (): void => {
    if (entry === undefined) return;
    const content = Buffer.concat(body);
    body = [];
    if (entry.kind === 'longname') longName = content.toString('utf8').replace(/\0.*$/s, '');
    else if (entry.kind === 'pax') {
      const path = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(content.toString('utf8'))?.[1];
      if (path !== undefined) longName = path;
    } else if (entry.kind === 'file' && entry.keep) callbacks.onEntry(entry.name, content);
    entry = undefined;
  };
  const feed = (chunk: Uint8Array): void => {
    if (state.ended || chunk.length === 0) return;
    pending.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
    pendingBytes += chunk.length;
    for (;;) {
      if (entry !== undefined) {
        if (remaining > 0) {
          if (pendingBytes === 0) return;
          const piece = take(Math.min(remaining, pendingBytes));
          remaining -= piece.length;
          if (entry.keep) body.push(Buffer.from(piece));
          if (remaining > 0) return;
        }
        if (padding > 0) {
          if (pendingBytes === 0) return;
          padding -= take(Math.min(padding, pendingBytes)).length;
          if (padding > 0) return;
        }
        finishEntry();
        continue;
      }
      if (pendingBytes < 512) return;
      const header = take(512);
      if (header.every((b) => b === 0)) {
        state.ended = true;
        return;
      }
      if (header.toString('latin1', 257, 262) !== 'ustar') throw bad('a header without the ustar magic');
      const size = parseOctal(header.subarray(124, 136));
      if (!Number.isFinite(size)) throw bad('a header with an unreadable size');
      const type = String.fromCharCode(header[156] ?? 0);
      const prefix = header.toString('utf8', 345, 500).replace(/\0.*$/s, '');
      const own = header.toString('utf8', 0, 100).replace(/\0.*$/s, '');
      const name = longName ?? (prefix === '' ? own : `${prefix}/${own}`);
      if (type !== 'L' && type !== 'x') longName = undefined;
      let kind: 'file' | 'longname' | 'pax' | 'skip';
      let keep: boolean;
      if (type === 'L' || type === 'x') {
        kind = type === 'L' ? 'longname' : 'pax';
        keep = size <= 64 * 1024;
        if (!keep) throw bad(`a ${size}-byte extended header`);
      } else if (type === '0' || type === '\0' || type === '7') {
        kind = 'file';
        keep = true;
        if (unsafeZipName(name)) {
          callbacks.onSkip(name.slice(0, 200), 'unsafe name');
          keep = false;
        } else if (size > maxEntryBytes) {
          callbacks.onSkip(name, `larger than ${maxEntryBytes} bytes`);
          keep = false;
        }
      } else {
        kind = 'skip';
        keep = false;
      }
      entry = { name, size, keep, kind };
      remaining = size;
      padding = (512 - (size % 512)) % 512;
    }
  };
  if (isZstd(data)) {
    const stream = new Decompress((chunk) => {
      if (state.failed === undefined) {
        try {
          feed(chunk);
        } catch (error) {
          state.failed = error;
        }
      }
    });
    const step = 1 << 20;
    try {
      for (let at = 0; at < data.length && state.failed === undefined && !state.ended; at += step)
        stream.push(data.subarray(at, at + step), at + step >= data.length);
    } catch (error) {
      throw bad(`zstd: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (state.failed instanceof Error) throw state.failed;
    if (state.failed !== undefined) throw bad('the archive reader failed');
  } else {
    feed(data);
  }
  if (!state.ended && (entry !== undefined || pendingBytes > 0)) throw bad('truncated');
}
