// One entry point over the version schemes (deb, apk, rpm): each scheme lives in its own module.
import { compareApkVersions } from './apk.js';
import { compareDebVersions } from './deb.js';
import type { Ordering } from './errors.js';
import { compareRpmVersions } from './rpm.js';

export { VersionError, type Ordering } from './errors.js';
export { compareDebVersions, parseDebVersion, type DebVersion } from './deb.js';
export { compareApkVersions, parseApkVersion, type ApkVersion } from './apk.js';
export { compareRpmVersions, parseRpmVersion, type RpmVersion } from './rpm.js';

export type VersionScheme = 'deb' | 'apk' | 'rpm';
export const VERSION_SCHEMES: readonly VersionScheme[] = ['deb', 'apk', 'rpm'];

/** Returns -1, 0 or 1 as `a` sorts before, equal to or after `b` in `scheme`; throws VersionError on bad input. */
export function compareVersions(scheme: VersionScheme, a: string, b: string): Ordering {
  switch (scheme) {
    case 'deb':
      return compareDebVersions(a, b);
    case 'apk':
      return compareApkVersions(a, b);
    case 'rpm':
      return compareRpmVersions(a, b);
    default:
      return scheme satisfies never;
  }
}
