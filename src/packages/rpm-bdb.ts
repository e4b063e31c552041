// Reads rpm's BerkeleyDB package database (var/lib/rpm/Packages: EL7/EL8, UBI 8, Amazon Linux 2) from memory,
// read-only, after Berkeley DB's on-disk hash format (db/dbinc/db_page.h, hash.h): a hash metadata page (magic
// 0x061561, page size, last page number), hash pages whose item index pairs key and data items, and header blobs
// either inline (H_KEYDATA) or in chains of overflow pages (H_OFFPAGE -> P_OVERFLOW, hf_offset bytes each).
// Every offset, page number and length is checked against the file, each overflow page may be used once (a loop
// or a shared chain is corruption), so a hostile file ends in a clear RpmDbError, never a hang.
import type { ReadResult } from './dpkg.js';
import { decodeRpmHeader, packageFromTags } from './rpm.js';
import type { InstalledPackage } from './types.js';

const HASH_MAGIC = 0x061561;
const PAGE_HEADER = 26;
const P_HASH_UNSORTED = 2;
const P_OVERFLOW = 7;
const P_HASHMETA = 8;
const P_HASH = 13;
const H_KEYDATA = 1;
const H_OFFPAGE = 3;
const MAX_BLOB = 256 * 1024 * 1024; // rpm's hdrchkData limit

export class RpmDbError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RpmDbError';
  }
}

interface Layout {
  readonly file: Buffer;
  readonly pageSize: number;
  readonly pages: number;
  readonly u16: (at: number) => number;
  readonly u32: (at: number) => number;
}

function openLayout(file: Buffer): Layout {
  if (file.length < 512) throw new RpmDbError(`file of ${file.length} bytes is too short for a BerkeleyDB`);
  let little: boolean;
  if (file.readUInt32LE(12) === HASH_MAGIC) little = true;
  else if (file.readUInt32BE(12) === HASH_MAGIC) little = false;
  else if (file.toString('latin1', 0, 15) === 'SQLite format 3')
    throw new RpmDbError('this is an sqlite database, not BerkeleyDB (expected rpmdb.sqlite)');
  else
    throw new RpmDbError(
      `wrong magic 0x${file.readUInt32LE(12).toString(16)}: not a BerkeleyDB hash database`,
    );
  const u16 = (at: number): number => (little ? file.readUInt16LE(at) : file.readUInt16BE(at));
  const u32 = (at: number): number => (little ? file.readUInt32LE(at) : file.readUInt32BE(at));
  const pageSize = u32(20);
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0)
    throw new RpmDbError(`implausible page size ${pageSize}`);
  if (file[24] !== 0) throw new RpmDbError('the database is encrypted');
  if (file[25] !== P_HASHMETA) throw new RpmDbError(`page 0 is type ${file[25] ?? '?'}, not hash metadata`);
  const lastPage = u32(32);
  const pages = Math.floor(file.length / pageSize);
  if (lastPage + 1 > pages)
    throw new RpmDbError(
      `truncated: the metadata names ${lastPage + 1} pages of ${pageSize} bytes, the file holds ${pages}`,
    );
  return { file, pageSize, pages: lastPage + 1, u16, u32 };
}

/** Concatenates an overflow chain; `used` holds every overflow page already read (a page belongs to one item). */
function readChain(db: Layout, first: number, length: number, used: Set<number>): Buffer {
  if (length > MAX_BLOB || length > db.file.length)
    throw new RpmDbError(`an item claims ${length} bytes, more than the file holds`);
  const parts: Buffer[] = [];
  let total = 0;
  let page = first;
  while (page !== 0) {
    if (page >= db.pages) throw new RpmDbError(`overflow chain points to page ${page}, past the last page`);
    if (used.has(page)) throw new RpmDbError(`overflow page ${page} is reached twice (a loop in the chain)`);
    used.add(page);
    const base = page * db.pageSize;
    if (db.file[base + 25] !== P_OVERFLOW)
      throw new RpmDbError(`page ${page} in an overflow chain is not an overflow page`);
    const bytes = db.u16(base + 22);
    if (bytes > db.pageSize - PAGE_HEADER)
      throw new RpmDbError(`overflow page ${page} claims ${bytes} bytes`);
    parts.push(db.file.subarray(base + PAGE_HEADER, base + PAGE_HEADER + bytes));
    total += bytes;
    if (total > length) throw new RpmDbError(`overflow chain from page ${first} is longer than its item`);
    page = db.u32(base + 16);
  }
  if (total !== length)
    throw new RpmDbError(`overflow chain from page ${first} holds ${total} of ${length} bytes`);
  return Buffer.concat(parts, total);
}

/** Every header blob in the database, in page order; throws RpmDbError on a structurally broken file. */
export function readBdbBlobs(file: Buffer): { blobs: { id: string; blob: Buffer }[]; problems: string[] } {
  const db = openLayout(file);
  const used = new Set<number>();
  const blobs: { id: string; blob: Buffer }[] = [];
  const problems: string[] = [];
  for (let page = 1; page < db.pages; page++) {
    const base = page * db.pageSize;
    const type = file[base + 25];
    if (type !== P_HASH && type !== P_HASH_UNSORTED) continue;
    const entries = db.u16(base + 20);
    if (PAGE_HEADER + entries * 2 > db.pageSize)
      throw new RpmDbError(`hash page ${page} claims ${entries} items, more than a page holds`);
    const offsets: number[] = [];
    for (let i = 0; i < entries; i++) {
      const offset = db.u16(base + PAGE_HEADER + i * 2);
      if (offset < PAGE_HEADER + entries * 2 || offset >= db.pageSize)
        throw new RpmDbError(`hash page ${page} item ${i} lies outside the page`);
      offsets.push(offset);
    }
    // items are packed from the end of the page down: item i ends where item i-1 starts
    const end = (i: number): number => (i === 0 ? db.pageSize : (offsets[i - 1] ?? db.pageSize));
    for (let i = 0; i + 1 < entries; i += 2) {
      const dataAt = offsets[i + 1] ?? 0;
      const id = `page ${page} item ${i / 2}`;
      const keyAt = offsets[i] ?? 0;
      // rpm's record 0 (a 4-byte key of 0) is its instance counter, not a package
      if (file[base + keyAt] === H_KEYDATA && end(i) - keyAt === 5 && db.u32(base + keyAt + 1) === 0)
        continue;
      const kind = file[base + dataAt];
      if (kind === H_OFFPAGE) {
        if (dataAt + 12 > db.pageSize) throw new RpmDbError(`${id}: off-page reference cut by the page end`);
        blobs.push({ id, blob: readChain(db, db.u32(base + dataAt + 4), db.u32(base + dataAt + 8), used) });
      } else if (kind === H_KEYDATA) {
        const stop = end(i + 1);
        if (stop <= dataAt) throw new RpmDbError(`${id}: inline item has no length`);
        blobs.push({ id, blob: file.subarray(base + dataAt + 1, base + stop) });
      } else {
        problems.push(`${id}: item type ${kind ?? '?'} is not a package header`);
      }
    }
  }
  return { blobs, problems };
}

/** Reads a BerkeleyDB Packages file held in memory; a broken file is one warning naming it and the reason. */
export function readRpmBdb(file: Buffer, database: string): ReadResult {
  const packages: InstalledPackage[] = [];
  const warnings: string[] = [];
  let read: ReturnType<typeof readBdbBlobs>;
  try {
    read = readBdbBlobs(file);
  } catch (error) {
    if (!(error instanceof RpmDbError)) throw error;
    return {
      packages,
      warnings: [
        `${database}: not a readable rpm BerkeleyDB database (${error.message}); its packages are not scanned`,
      ],
    };
  }
  for (const problem of read.problems) warnings.push(`${database}: ${problem}, skipped`);
  for (const { id, blob } of read.blobs) {
    let tags: Map<number, string | number>;
    try {
      tags = decodeRpmHeader(blob);
    } catch (error) {
      warnings.push(`${database}: ${id}: ${error instanceof Error ? error.message : String(error)}, skipped`);
      continue;
    }
    const pkg = packageFromTags(tags, database);
    if (typeof pkg === 'string') warnings.push(`${database}: ${id} ${pkg}, skipped`);
    else if (pkg !== undefined) packages.push(pkg);
  }
  return { packages, warnings };
}
