// Reads rpm's sqlite package database (rpmdb.sqlite, rpm >= 4.16: table Packages(hnum, blob)) from memory. Each blob
// is an rpm header without its magic: il and dl (big-endian int32), il index entries of {tag, type, offset, count},
// then dl bytes of data (rpm's "Package File Format", header structure). Source name and version come from
// SOURCERPM ("name-version-release.src.rpm"), as rpm -q --qf '%{SOURCERPM}' shows them; MODULARITYLABEL (tag 5096,
// "name:stream:version:context") marks a package built for a module stream. The BerkeleyDB reader (rpm-bdb.ts)
// hands its blobs to the same decoder.
import Database from 'better-sqlite3';
import type { ReadResult } from './dpkg.js';
import type { InstalledPackage } from './types.js';

const TAG = {
  name: 1000,
  version: 1001,
  release: 1002,
  epoch: 1003,
  arch: 1022,
  sourcerpm: 1044,
  modularitylabel: 5096,
} as const;
const TYPE_INT32 = 4;
const TYPE_STRING = 6;
const TYPE_I18NSTRING = 9;
const MAX_INDEX_ENTRIES = 100_000; // rpm's own hdrchkTags limit is 0x0000ffff
const MAX_DATA_BYTES = 256 * 1024 * 1024; // rpm's hdrchkData limit

export class RpmHeaderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RpmHeaderError';
  }
}

/** Decodes the tags bulkhead needs from one header blob; throws RpmHeaderError on a malformed blob. */
export function decodeRpmHeader(blob: Buffer): Map<number, string | number> {
  if (blob.length < 8) throw new RpmHeaderError('header shorter than 8 bytes');
  const il = blob.readUInt32BE(0);
  const dl = blob.readUInt32BE(4);
  if (il > MAX_INDEX_ENTRIES || dl > MAX_DATA_BYTES)
    throw new RpmHeaderError(`implausible header size il=${il} dl=${dl}`);
  const dataStart = 8 + il * 16;
  if (dataStart + dl > blob.length) throw new RpmHeaderError('header runs past the end of its blob');
  const wanted = new Set<number>(Object.values(TAG));
  const out = new Map<number, string | number>();
  for (let i = 0; i < il; i += 1) {
    const at = 8 + i * 16;
    const tag = blob.readInt32BE(at);
    if (!wanted.has(tag)) continue;
    const type = blob.readUInt32BE(at + 4);
    const offset = blob.readInt32BE(at + 8);
    const count = blob.readUInt32BE(at + 12);
    if (offset < 0 || offset >= dl) throw new RpmHeaderError(`tag ${tag} points outside the data store`);
    const start = dataStart + offset;
    if (type === TYPE_STRING || type === TYPE_I18NSTRING) {
      const end = blob.indexOf(0, start);
      if (end < 0 || end > dataStart + dl) throw new RpmHeaderError(`tag ${tag} string is not terminated`);
      out.set(tag, blob.toString('utf8', start, end));
    } else if (type === TYPE_INT32 && count >= 1) {
      if (start + 4 > dataStart + dl) throw new RpmHeaderError(`tag ${tag} integer runs past the data store`);
      out.set(tag, blob.readUInt32BE(start));
    }
  }
  return out;
}

/** Splits "name-version-release.src.rpm" into the source name and "version-release". */
export function parseSourceRpm(sourcerpm: string): { name: string; version: string } | undefined {
  const match = /^(.+)-([^-]+)-([^-]+)\.(?:no)?src\.rpm$/.exec(sourcerpm);
  if (match === null) return undefined;
  const [, name = '', version = '', release = ''] = match;
  return { name, version: `${version}-${release}` };
}

/** An rpm sqlite file may be in WAL mode (header bytes 18/19 = 2); an in-memory copy must say "rollback journal". */
function toRollbackJournal(file: Buffer): Buffer {
  if (file.length < 100 || file.toString('latin1', 0, 15) !== 'SQLite format 3') return file;
  const copy = Buffer.from(file);
  copy[18] = 1;
  copy[19] = 1;
  return copy;
}

const ROW_LIMIT = 200_000;

/**
 * The package one decoded header describes; a string says why it is unusable, undefined means "not software"
 * (gpg-pubkey entries are imported keys).
 */
export function packageFromTags(
  tags: ReadonlyMap<number, string | number>,
  database: string,
): InstalledPackage | string | undefined {
  const name = tags.get(TAG.name);
  const version = tags.get(TAG.version);
  const release = tags.get(TAG.release);
  if (typeof name !== 'string' || typeof version !== 'string' || typeof release !== 'string')
    return 'lacks name, version or release';
  if (name === 'gpg-pubkey') return undefined;
  const epoch = tags.get(TAG.epoch);
  const prefix = typeof epoch === 'number' ? `${epoch}:` : '';
  const full = `${prefix}${version}-${release}`;
  const arch = tags.get(TAG.arch);
  const sourcerpm = tags.get(TAG.sourcerpm);
  const source = typeof sourcerpm === 'string' ? parseSourceRpm(sourcerpm) : undefined;
  const label = tags.get(TAG.modularitylabel);
  return {
    format: 'rpm',
    name,
    version: full,
    ...(typeof arch === 'string' ? { arch } : {}),
    sourceName: source?.name ?? name,
    sourceVersion: source === undefined ? full : `${prefix}${source.version}`,
    ...(typeof sourcerpm === 'string' ? { sourceRpm: sourcerpm } : {}),
    ...(typeof label === 'string' && label !== '' ? { modularityLabel: label } : {}),
    database,
  };
}

/** Reads an rpmdb.sqlite held in memory (never written to disk). */
export function readRpmSqlite(file: Buffer, database: string): ReadResult {
  const packages: InstalledPackage[] = [];
  const warnings: string[] = [];
  let db: Database.Database;
  try {
    db = new Database(toRollbackJournal(file), { readonly: true });
  } catch (error) {
    return { packages, warnings: [`${database}: not a readable sqlite database (${String(error)})`] };
  }
  try {
    const rows: unknown[] = db.prepare('SELECT hnum, blob FROM Packages LIMIT ?').all(ROW_LIMIT);
    for (const row of rows) {
      if (typeof row !== 'object' || row === null || !('blob' in row) || !Buffer.isBuffer(row.blob)) {
        warnings.push(`${database}: a Packages row has no blob, skipped`);
        continue;
      }
      const hnum = 'hnum' in row ? String(row.hnum) : '?';
      let tags: Map<number, string | number>;
      try {
        tags = decodeRpmHeader(row.blob);
      } catch (error) {
        warnings.push(
          `${database}: header ${hnum}: ${error instanceof Error ? error.message : String(error)}, skipped`,
        );
        continue;
      }
      const pkg = packageFromTags(tags, database);
      if (typeof pkg === 'string') warnings.push(`${database}: header ${hnum} ${pkg}, skipped`);
      else if (pkg !== undefined) packages.push(pkg);
    }
    if (rows.length === ROW_LIMIT)
      warnings.push(`${database}: more than ${ROW_LIMIT} packages, the rest ignored`);
  } catch (error) {
    warnings.push(
      `${database}: cannot read the Packages table (${error instanceof Error ? error.message : String(error)})`,
    );
  } finally {
    db.close();
  }
  return { packages, warnings };
}

/** Every header blob of an rpmdb.sqlite held in memory (for rpm-files.ts); a broken file is one problem line. */
export function readRpmSqliteBlobs(
  file: Buffer,
  database: string,
): {
  blobs: { id: string; blob: Buffer }[];
  problems: string[];
} {
  const blobs: { id: string; blob: Buffer }[] = [];
  const problems: string[] = [];
  let db: Database.Database;
  try {
    db = new Database(toRollbackJournal(file), { readonly: true });
  } catch (error) {
    return { blobs, problems: [`${database}: not a readable sqlite database (${String(error)})`] };
  }
  try {
    const rows: unknown[] = db.prepare('SELECT hnum, blob FROM Packages LIMIT ?').all(ROW_LIMIT);
    for (const row of rows) {
      if (typeof row !== 'object' || row === null || !('blob' in row) || !Buffer.isBuffer(row.blob)) {
        problems.push(`${database}: a Packages row has no blob, skipped`);
        continue;
      }
      blobs.push({ id: `${database}: header ${'hnum' in row ? String(row.hnum) : '?'}`, blob: row.blob });
    }
  } catch (error) {
    problems.push(
      `${database}: cannot read the Packages table (${error instanceof Error ? error.message : String(error)})`,
    );
  } finally {
    db.close();
  }
  return { blobs, problems };
}
