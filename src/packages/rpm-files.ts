// Reads the file records of rpm package headers (rpm's "Package File Format", header structure; tags from rpmtag.h):
// each file's path (DIRNAMES[DIRINDEXES[i]] + BASENAMES[i], or OLDFILENAMES of pre-4.0 headers), its mode
// (FILEMODES) and digest (FILEDIGESTS, the algorithm in FILEDIGESTALGO as a PGPHASHALGO number, MD5 when absent),
// for host application control (watch --host). Blobs come from rpm.ts (sqlite) or rpm-bdb.ts (BerkeleyDB); every
// count and offset is checked against the blob, so a hostile header is one problem line, never a crash.

const TAG = {
  name: 1000,
  oldfilenames: 1027,
  filemodes: 1030,
  filedigests: 1035,
  dirindexes: 1116,
  basenames: 1117,
  dirnames: 1118,
  filedigestalgo: 5011,
} as const;
const TYPE_INT16 = 3;
const TYPE_INT32 = 4;
const TYPE_STRING = 6;
const TYPE_STRING_ARRAY = 8;
const TYPE_I18NSTRING = 9;
const MAX_INDEX_ENTRIES = 100_000; // rpm's hdrchkTags
const MAX_DATA_BYTES = 256 * 1024 * 1024; // rpm's hdrchkData
const MAX_FILES = 1_000_000;

/** PGPHASHALGO numbers (rpmpgp.h) -> node:crypto names. */
export const RPM_DIGEST_ALGOS: Readonly<Record<number, string>> = {
  1: 'md5',
  2: 'sha1',
  8: 'sha256',
  9: 'sha384',
  10: 'sha512',
  11: 'sha224',
};

export interface RpmFileRecord {
  readonly path: string;
  /** st_mode as rpm recorded it (0 when the header has no FILEMODES). */
  readonly mode: number;
  /** Lower-case hex; '' for directories, symlinks and ghosts (rpm records no digest for them). */
  readonly digest: string;
}

export interface RpmPackageFiles {
  readonly name: string;
  /** node:crypto name of the digest algorithm ('md5' when the header does not say). */
  readonly algo: string;
  readonly files: RpmFileRecord[];
}

type Value = string | string[] | number[];

/** The wanted tags of one header blob; throws Error naming the tag on a malformed blob. */
function decodeTags(blob: Buffer): Map<number, Value> {
  if (blob.length < 8) throw new Error('header shorter than 8 bytes');
  const il = blob.readUInt32BE(0);
  const dl = blob.readUInt32BE(4);
  if (il > MAX_INDEX_ENTRIES || dl > MAX_DATA_BYTES)
    throw new Error(`implausible header size il=${il} dl=${dl}`);
  const dataStart = 8 + il * 16;
  const dataEnd = dataStart + dl;
  if (dataEnd > blob.length) throw new Error('header runs past the end of its blob');
  const wanted = new Set<number>(Object.values(TAG));
  const out = new Map<number, Value>();
  for (let i = 0; i < il; i += 1) {
    const at = 8 + i * 16;
    const tag = blob.readInt32BE(at);
    if (!wanted.has(tag)) continue;
    const type = blob.readUInt32BE(at + 4);
    const offset = blob.readInt32BE(at + 8);
    const count = blob.readUInt32BE(at + 12);
    if (offset < 0 || offset >= dl) throw new Error(`tag ${tag} points outside the data store`);
    if (count > MAX_FILES) throw new Error(`tag ${tag} claims ${count} values`);
    let pos = dataStart + offset;
    if (type === TYPE_STRING || type === TYPE_I18NSTRING || type === TYPE_STRING_ARRAY) {
      const strings: string[] = [];
      const n = type === TYPE_STRING_ARRAY ? count : 1;
      for (let k = 0; k < n; k += 1) {
        const end = blob.indexOf(0, pos);
        if (end < 0 || end >= dataEnd) throw new Error(`tag ${tag} string ${k} is not terminated`);
        strings.push(blob.toString('utf8', pos, end));
        pos = end + 1;
      }
      out.set(tag, type === TYPE_STRING_ARRAY ? strings : (strings[0] ?? ''));
    } else if (type === TYPE_INT32 || type === TYPE_INT16) {
      const size = type === TYPE_INT32 ? 4 : 2;
      if (pos + count * size > dataEnd) throw new Error(`tag ${tag} integers run past the data store`);
      const numbers: number[] = [];
      for (let k = 0; k < count; k += 1)
        numbers.push(size === 4 ? blob.readUInt32BE(pos + k * 4) : blob.readUInt16BE(pos + k * 2));
      out.set(tag, numbers);
    }
  }
  return out;
}

function strings(v: Value | undefined): string[] | undefined {
  return Array.isArray(v) && v.every((x): x is string => typeof x === 'string') ? v : undefined;
}

function numbers(v: Value | undefined): number[] | undefined {
  return Array.isArray(v) && v.every((x): x is number => typeof x === 'number') ? v : undefined;
}

/**
 * The files of one header; undefined for a header without files (gpg-pubkey entries, meta packages); throws Error
 * on a malformed blob or arrays whose lengths disagree.
 */
export function decodeRpmFiles(blob: Buffer): RpmPackageFiles | undefined {
  const tags = decodeTags(blob);
  const name = tags.get(TAG.name);
  if (typeof name !== 'string' || name === '') throw new Error('header has no NAME');
  const algoNumber = numbers(tags.get(TAG.filedigestalgo))?.[0] ?? 1;
  const algo = RPM_DIGEST_ALGOS[algoNumber];
  if (algo === undefined) throw new Error(`${name}: unknown file digest algorithm ${algoNumber}`);
  let paths: string[];
  const basenames = strings(tags.get(TAG.basenames));
  if (basenames !== undefined) {
    const dirnames = strings(tags.get(TAG.dirnames)) ?? [];
    const dirindexes = numbers(tags.get(TAG.dirindexes)) ?? [];
    if (dirindexes.length !== basenames.length)
      throw new Error(`${name}: ${basenames.length} BASENAMES but ${dirindexes.length} DIRINDEXES`);
    paths = basenames.map((base, i) => {
      const dir = dirnames[dirindexes[i] ?? -1];
      if (dir === undefined) throw new Error(`${name}: DIRINDEXES[${i}] points past DIRNAMES`);
      return dir + base;
    });
  } else {
    const old = strings(tags.get(TAG.oldfilenames));
    if (old === undefined) return undefined;
    paths = old;
  }
  const digests = strings(tags.get(TAG.filedigests)) ?? [];
  const modes = numbers(tags.get(TAG.filemodes)) ?? [];
  if (digests.length !== 0 && digests.length !== paths.length)
    throw new Error(`${name}: ${paths.length} files but ${digests.length} FILEDIGESTS`);
  return {
    name,
    algo,
    files: paths.map((path, i) => ({
      path,
      mode: modes[i] ?? 0,
      digest: (digests[i] ?? '').toLowerCase(),
    })),
  };
}

/** The file records of many headers; a malformed header is skipped with one problem line naming it. */
export function readRpmFileRecords(blobs: Iterable<{ readonly id: string; readonly blob: Buffer }>): {
  packages: RpmPackageFiles[];
  problems: string[];
} {
  const packages: RpmPackageFiles[] = [];
  const problems: string[] = [];
  for (const { id, blob } of blobs) {
    try {
      const p = decodeRpmFiles(blob);
      if (p !== undefined) packages.push(p);
    } catch (error) {
      problems.push(`${id}: ${error instanceof Error ? error.message : String(error)}, skipped`);
    }
  }
  return { packages, problems };
}
