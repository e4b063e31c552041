// Reads every package database found in a (merged) filesystem view: dpkg status and status.d, apk installed and
// rpm's sqlite and BerkeleyDB databases. Callers hand over file contents; this module never opens files itself.
import { readApkDatabase } from './apk.js';
import { readDpkgDatabase, type ReadResult } from './dpkg.js';
import { readRpmSqlite } from './rpm.js';
import { readRpmBdb } from './rpm-bdb.js';

export { detectOs, parseOsRelease, type OsFiles } from './os.js';
export {
  readDpkgDatabase,
  parseControlStanzas,
  parseSourceField,
  isDebVersion,
  type ReadResult,
} from './dpkg.js';
export { readApkDatabase, isApkVersion } from './apk.js';
export { readRpmSqlite, decodeRpmHeader, parseSourceRpm } from './rpm.js';
export { readRpmBdb, readBdbBlobs, RpmDbError } from './rpm-bdb.js';
export { readContentSets, isContentSetPath } from './content-sets.js';
export type { InstalledPackage, OsInfo, OsFamily, PackageFormat } from './types.js';

export interface DatabaseFile {
  /** Root-relative path ("var/lib/dpkg/status"). */
  readonly path: string;
  readonly content: Buffer;
}

export function isPackageDatabasePath(path: string): boolean {
  return (
    path === 'var/lib/dpkg/status' ||
    path.startsWith('var/lib/dpkg/status.d/') ||
    path === 'lib/apk/db/installed' ||
    path.endsWith('rpm/rpmdb.sqlite') ||
    path === 'var/lib/rpm/Packages'
  );
}

/** Reads all package databases among `files` (sorted by path for a stable order). */
export function readPackageDatabases(files: Iterable<DatabaseFile>): ReadResult {
  const packages: ReadResult['packages'] = [];
  const warnings: string[] = [];
  const sorted = [...files]
    .filter((f) => isPackageDatabasePath(f.path))
    .sort((a, b) => (a.path < b.path ? -1 : 1));
  for (const file of sorted) {
    let result: ReadResult;
    if (file.path === 'var/lib/dpkg/status')
      result = readDpkgDatabase(file.content.toString('utf8'), file.path, true);
    else if (file.path.startsWith('var/lib/dpkg/status.d/'))
      result = readDpkgDatabase(file.content.toString('utf8'), file.path, false);
    else if (file.path === 'lib/apk/db/installed')
      result = readApkDatabase(file.content.toString('utf8'), file.path);
    else if (file.path === 'var/lib/rpm/Packages') result = readRpmBdb(file.content, file.path);
    else result = readRpmSqlite(file.content, file.path);
    for (const item of result.packages) packages.push(item);
    for (const item of result.warnings) warnings.push(item);
  }
  return { packages, warnings };
}
