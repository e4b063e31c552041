// The host's package-owned files, for host application control (watch --host): dpkg's info/*.list and *.md5sums
// (src/packages/dpkg-files.ts) and rpm's file digests from rpmdb.sqlite or the BerkeleyDB Packages file
// (src/packages/rpm-files.ts), keyed by the file's real path (usrmerge: dpkg lists /bin/ls, the kernel names
// /usr/bin/ls), a check of a file on disk against the digest its package recorded (dpkg -V / rpm -V), and a stamp
// of the database files that says when a package manager has changed them (watch re-reads the index then).
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fstatSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  realpathSync,
  statSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { dpkgInfoPackage, parseDpkgList, parseDpkgMd5sums } from '../packages/dpkg-files.js';
import { readBdbBlobs } from '../packages/rpm-bdb.js';
import { readRpmFileRecords } from '../packages/rpm-files.js';
import { readRpmSqliteBlobs } from '../packages/rpm.js';

export interface OwnedFile {
  readonly manager: 'dpkg' | 'rpm';
  readonly package: string;
  /** node:crypto algorithm of `digest`. */
  readonly algo: string;
  /** Lower-case hex; undefined when the package recorded none (dpkg package without md5sums). */
  readonly digest: string | undefined;
}

/**
 * What one read of one database unit gave: a dpkg package (its info/<pkg>.list and .md5sums) or an rpm database
 * file, with the stat of the files it came from, so that a later read reuses a unit whose files did not change.
 */
export interface PackagePart {
  readonly stamp: string;
  /** Real path -> owner, in the database's order. */
  readonly files: readonly (readonly [string, OwnedFile])[];
  readonly warnings: readonly string[];
}

export interface PackageFileIndex {
  /** Real path -> owner. */
  readonly byPath: ReadonlyMap<string, OwnedFile>;
  /** The databases read ("dpkg /var/lib/dpkg/info: 3,036 files"). */
  readonly sources: readonly string[];
  /** Skipped records and unreadable files (first few per file). */
  readonly warnings: readonly string[];
  /** "dpkg:<info name>" or "rpm:<file>" -> its part; a later read keeps the same object for a unit it reused. */
  readonly parts: ReadonlyMap<string, PackagePart>;
}

/** An info file larger than this is not read (the largest on a Debian desktop is a few MiB). */
const MAX_INFO_BYTES = 64 * 1024 * 1024;

function readCapped(file: string): string | undefined {
  const fd = openSync(file, 'r');
  try {
    if (fstatSync(fd).size > MAX_INFO_BYTES) return undefined;
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

/** Inode, size, mtime and ctime of each file ("-" when absent): equal stamps, unchanged files. */
function statStamp(files: readonly (string | undefined)[]): string {
  return files
    .map((f) => {
      if (f === undefined) return '-';
      try {
        const st = statSync(f, { bigint: true });
        return `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
      } catch {
        return '-';
      }
    })
    .join('|');
}

/** Resolves the directories of listed paths once each (a few thousand for a whole system). */
function canonicalizer(root: string): (path: string) => string {
  const dirs = new Map<string, string>();
  return (path) => {
    const dir = dirname(path);
    let real = dirs.get(dir);
    if (real === undefined) {
      try {
        real = realpathSync(join(root, dir));
        if (root !== '/')
          real = real.startsWith(root) ? real.slice(root.replace(/\/$/, '').length) || '/' : dir;
      } catch {
        real = dir;
      }
      dirs.set(dir, real);
    }
    return join(real, basename(path));
  };
}

function readDpkgPackage(
  key: string,
  entry: { list?: string; md5sums?: string },
  canonical: (path: string) => string,
): Omit<PackagePart, 'stamp'> {
  const warnings: string[] = [];
  const pkg = dpkgInfoPackage(`${key}.list`)?.name ?? key;
  let md5 = new Map<string, string>();
  if (entry.md5sums !== undefined) {
    try {
      const text = readCapped(entry.md5sums);
      if (text === undefined)
        warnings.push(`${entry.md5sums}: larger than ${MAX_INFO_BYTES} bytes, not read`);
      else {
        const r = parseDpkgMd5sums(text, entry.md5sums);
        md5 = r.entries;
        warnings.push(...r.warnings);
      }
    } catch (error) {
      warnings.push(`${entry.md5sums}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  // a package without md5sums still owns its listed files: owned, with no digest to verify
  const listed: string[] = [...md5.keys()];
  if (entry.list !== undefined) {
    try {
      const text = readCapped(entry.list);
      if (text === undefined) warnings.push(`${entry.list}: larger than ${MAX_INFO_BYTES} bytes, not read`);
      else {
        const r = parseDpkgList(text, entry.list);
        listed.push(...r.paths);
        warnings.push(...r.warnings);
      }
    } catch (error) {
      warnings.push(`${entry.list}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const files = [...new Set(listed)].map((path): readonly [string, OwnedFile] => [
    canonical(path),
    { manager: 'dpkg', package: pkg, algo: 'md5', digest: md5.get(path) },
  ]);
  return { files, warnings };
}

function readDpkg(
  root: string,
  canonical: (path: string) => string,
  previous: ReadonlyMap<string, PackagePart> | undefined,
  parts: Map<string, PackagePart>,
): string | undefined {
  const info = join(root, 'var/lib/dpkg/info');
  if (!existsSync(info)) return undefined;
  const byPackage = new Map<string, { list?: string; md5sums?: string }>();
  for (const name of readdirSync(info)) {
    const p = dpkgInfoPackage(name);
    if (p === undefined) continue;
    const key = name.slice(0, name.lastIndexOf('.'));
    const entry = byPackage.get(key) ?? {};
    entry[p.kind === 'list' ? 'list' : 'md5sums'] = join(info, name);
    byPackage.set(key, entry);
  }
  let files = 0;
  for (const [key, entry] of byPackage) {
    // dpkg replaces a package's info files by rename: an unchanged stamp is the same list and md5sums
    const stamp = statStamp([entry.list, entry.md5sums]);
    const old = previous?.get(`dpkg:${key}`);
    const part = old?.stamp === stamp ? old : { stamp, ...readDpkgPackage(key, entry, canonical) };
    parts.set(`dpkg:${key}`, part);
    files += part.files.length;
  }
  return `dpkg ${info}: ${byPackage.size} packages, ${files} files`;
}

function readRpmDatabase(
  file: string,
  sqlite: boolean,
  canonical: (path: string) => string,
): Omit<PackagePart, 'stamp'> {
  const warnings: string[] = [];
  let read: { blobs: { id: string; blob: Buffer }[]; problems: string[] };
  try {
    const bytes = readFileSync(file);
    read = sqlite ? readRpmSqliteBlobs(bytes, file) : readBdbBlobs(bytes);
  } catch (error) {
    return { files: [], warnings: [`${file}: ${error instanceof Error ? error.message : String(error)}`] };
  }
  warnings.push(...read.problems);
  const { packages, problems } = readRpmFileRecords(read.blobs);
  warnings.push(...problems.map((p) => `${file}: ${p}`));
  const files = packages.flatMap((p) =>
    p.files.map((f): readonly [string, OwnedFile] => [
      canonical(f.path),
      { manager: 'rpm', package: p.name, algo: p.algo, digest: f.digest === '' ? undefined : f.digest },
    ]),
  );
  return { files, warnings };
}

function readRpm(
  root: string,
  canonical: (path: string) => string,
  previous: ReadonlyMap<string, PackagePart> | undefined,
  parts: Map<string, PackagePart>,
): string | undefined {
  const dirs = ['var/lib/rpm', 'usr/lib/sysimage/rpm'].map((d) => join(root, d));
  for (const dir of dirs) {
    const sqlite = join(dir, 'rpmdb.sqlite');
    const bdb = join(dir, 'Packages');
    const file = existsSync(sqlite) ? sqlite : existsSync(bdb) ? bdb : undefined;
    if (file === undefined) continue;
    const stamp = statStamp([file, `${file}-wal`]);
    const old = previous?.get(`rpm:${file}`);
    const part = old?.stamp === stamp ? old : { stamp, ...readRpmDatabase(file, file === sqlite, canonical) };
    parts.set(`rpm:${file}`, part);
    if (part.files.length === 0 && part.warnings.length > 0) continue;
    const packages = new Set(part.files.map(([, o]) => o.package)).size;
    return `rpm ${file}: ${packages} packages, ${part.files.length} files`;
  }
  return undefined;
}

/**
 * Reads the package databases under `root` (normally "/"); listed paths are resolved under the same root. Given the
 * `previous` index, a dpkg package whose info files and an rpm database whose file did not change are not read
 * again (a reused part keeps the real paths it resolved then).
 */
export function loadPackageFileIndex(root: string, previous?: PackageFileIndex): PackageFileIndex {
  const parts = new Map<string, PackagePart>();
  const canonical = canonicalizer(root);
  const sources = [
    readDpkg(root, canonical, previous?.parts, parts),
    readRpm(root, canonical, previous?.parts, parts),
  ].filter((s): s is string => s !== undefined);
  const byPath = new Map<string, OwnedFile>();
  const warnings: string[] = [];
  for (const part of parts.values()) {
    warnings.push(...part.warnings);
    for (const [real, owner] of part.files) {
      const old = byPath.get(real);
      // /bin/ls and /usr/bin/ls both listed (a usrmerge transition): the record with a digest wins
      if (old === undefined || (old.digest === undefined && owner.digest !== undefined))
        byPath.set(real, owner);
    }
  }
  return { byPath, sources, warnings, parts };
}

/** The real paths of the parts a re-read did not reuse, before and after: the files whose record may have changed. */
export function rereadPaths(before: PackageFileIndex, after: PackageFileIndex): Set<string> {
  const paths = new Set<string>();
  for (const [key, part] of after.parts)
    if (before.parts.get(key) !== part) for (const [path] of part.files) paths.add(path);
  for (const [key, part] of before.parts)
    if (after.parts.get(key) !== part) for (const [path] of part.files) paths.add(path);
  return paths;
}

/**
 * What a package manager rewrites on every install, upgrade or removal, relative to the root. dpkg installs a
 * package's new info/<pkg>.list and .md5sums by rename (a new entry: info/'s mtime changes) and records each state
 * change in updates/ before folding it into status; rpm writes rpmdb.sqlite (its WAL while the transaction runs)
 * or the BerkeleyDB Packages file.
 */
const PACKAGE_DB_FILES = [
  'var/lib/dpkg/status',
  'var/lib/dpkg/info',
  'var/lib/dpkg/updates',
  ...['var/lib/rpm', 'usr/lib/sysimage/rpm'].flatMap((d) =>
    ['rpmdb.sqlite', 'rpmdb.sqlite-wal', 'Packages'].map((f) => `${d}/${f}`),
  ),
] as const;

/**
 * A cheap stamp of the package databases under `root` (a dozen stats, no reads): inode, size, mtime and ctime of
 * each file of PACKAGE_DB_FILES. Two equal stamps mean no package manager wrote in between.
 */
export function packageDatabaseStamp(root: string): string {
  return PACKAGE_DB_FILES.map((f) => {
    try {
      const st = statSync(join(root, f), { bigint: true });
      return `${f}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
    } catch {
      return `${f}:-`;
    }
  }).join('\n');
}

export interface PackageFileChanges {
  readonly added: number;
  readonly removed: number;
  /** Owned before and after, with another owner or digest (an upgraded package's files). */
  readonly changed: number;
}

/** What a re-read changed: files owned now and not before, no longer owned, and owned with another record. */
export function diffPackageFileIndexes(
  before: PackageFileIndex,
  after: PackageFileIndex,
): PackageFileChanges {
  let added = 0;
  let changed = 0;
  for (const [path, owner] of after.byPath) {
    const old = before.byPath.get(path);
    if (old === undefined) added += 1;
    else if (
      old.digest !== owner.digest ||
      old.algo !== owner.algo ||
      old.package !== owner.package ||
      old.manager !== owner.manager
    )
      changed += 1;
  }
  let removed = 0;
  for (const path of before.byPath.keys()) if (!after.byPath.has(path)) removed += 1;
  return { added, removed, changed };
}

/** The hex digest of a file with `algo`. */
export function digestFile(path: string, algo: string): string {
  const hash = createHash(algo);
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(1 << 20);
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      hash.update(buf.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

/** Whether the file matches what its package recorded: undefined when no digest was recorded or it is unreadable. */
export function verifyOwnedFile(path: string, owner: OwnedFile): boolean | undefined {
  if (owner.digest === undefined) return undefined;
  try {
    return digestFile(path, owner.algo) === owner.digest;
  } catch {
    return undefined;
  }
}
