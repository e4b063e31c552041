// Reads Alpine's apk database (lib/apk/db/installed, apk-tools "Installed Database V2" format: one "X:value" line
// per field, blank lines between packages). The origin ("o:") is the source package secdb advisories are keyed by.
import type { ReadResult } from './dpkg.js';
import type { InstalledPackage } from './types.js';

// apk version syntax (apk-tools src/version.c): digits and dots, an optional letter, suffixes, "-r" revision.
const APK_VERSION =
  /^[0-9]+(\.[0-9]+)*[a-z]?(_(alpha|beta|pre|rc|cvs|svn|git|hg|p)[0-9]*)*(~[0-9a-f]+)?(-r[0-9]+)?$/;

export function isApkVersion(version: string): boolean {
  return APK_VERSION.test(version);
}

export function readApkDatabase(text: string, database: string): ReadResult {
  const packages: InstalledPackage[] = [];
  const warnings: string[] = [];
  let fields = new Map<string, string>();
  let start = 1;
  const flush = (): void => {
    if (fields.size === 0) return;
    const where = `${database}:${start}`;
    const name = fields.get('P');
    const version = fields.get('V');
    if (name === undefined || name === '')
      warnings.push(`${where}: entry without a package name (P:), skipped`);
    else if (version === undefined) warnings.push(`${where}: package ${name} has no version (V:), skipped`);
    else if (!isApkVersion(version))
      warnings.push(`${where}: package ${name} has an invalid version "${version}", skipped`);
    else {
      const arch = fields.get('A');
      const origin = fields.get('o');
      packages.push({
        format: 'apk',
        name,
        version,
        ...(arch === undefined ? {} : { arch }),
        sourceName: origin === undefined || origin === '' ? name : origin,
        sourceVersion: version,
        database,
      });
    }
    fields = new Map();
  };
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    const line = (lines[i] ?? '').replace(/\r$/, '');
    if (line === '') {
      flush();
      start = i + 2;
      continue;
    }
    if (line.length < 2 || line[1] !== ':') {
      warnings.push(`${database}:${i + 1}: not a "X:value" line, ignored`);
      continue;
    }
    const key = line.slice(0, 1);
    // Only the first value counts for the package fields; file lines (F:, R:, Z:) repeat and are irrelevant here.
    if (!fields.has(key)) fields.set(key, line.slice(2));
  }
  flush();
  return { packages, warnings };
}
