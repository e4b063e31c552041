// Alpine apk version parsing and ordering, following apk-tools' version rules (apk-package(5)):
// number{.number}...{letter}{_suffix{number}}...{~hash}{-r#}, with apk-tools' lenient treatment of malformed tails
// (a trailing remainder sorts below its absence; two malformed versions fall back to a plain string order).
import { compareDigitStrings, VersionError, type Ordering } from './errors.js';

/** Suffix weights in apk-tools order: pre-release suffixes sort below "no suffix" (4), post-release above. */
const SUFFIX_WEIGHT: Readonly<Record<string, number>> = {
  alpha: 0,
  beta: 1,
  pre: 2,
  rc: 3,
  cvs: 5,
  svn: 6,
  git: 7,
  hg: 8,
  p: 9,
};
const NO_SUFFIX = 4;

interface ApkSuffix {
  readonly weight: number;
  readonly number: string;
}

export interface ApkVersion {
  readonly original: string;
  /** Dotted numeric components, as written (leading zeros matter after the first component). */
  readonly numbers: readonly string[];
  readonly letter: string;
  readonly suffixes: readonly ApkSuffix[];
  /** Package release, the N of "-rN" ("0" when absent). */
  readonly release: string;
  /** Whatever did not fit the grammar; non-empty means the version is malformed but still orderable by apk. */
  readonly remainder: string;
  /** The tail after the suffixes matched neither "~hash", "-rN" nor the end. */
  readonly malformed: boolean;
}

// apk accepts these characters in a version ("apk version -t" orders "a" against "b"); anything else is garbage.
const APK_CHARS = /^[0-9A-Za-z._~+-]+$/;
const NUMBERS = /^(?:[0-9]+\.?)*/;
const SUFFIX = /^_(alpha|beta|pre|rc|cvs|svn|git|hg|p)([0-9]*)/;
const HASH = /^~[0-9a-f]+/;
const RELEASE = /^-r([0-9]*)/;

/** An absent or empty digit run counts as 0 ("_rc" is "_rc0", "-r" is "-r0"). */
function orZero(digits: string | undefined): string {
  return digits === undefined || digits === '' ? '0' : digits;
}

/** Parses an apk version; throws VersionError for empty input or characters apk never uses. */
export function parseApkVersion(version: string): ApkVersion {
  if (version === '') throw new VersionError('apk', version, 'version string is empty');
  if (!APK_CHARS.test(version)) throw new VersionError('apk', version, 'invalid character in version');
  let rest = version;
  const numbersText = NUMBERS.exec(rest)?.[0] ?? '';
  const numbers = numbersText === '' ? [] : numbersText.split('.');
  rest = rest.slice(numbersText.length);
  let letter = '';
  if (/^[a-z]/.test(rest)) {
    letter = rest.slice(0, 1);
    rest = rest.slice(1);
  }
  const suffixes: ApkSuffix[] = [];
  for (let m = SUFFIX.exec(rest); m !== null; m = SUFFIX.exec(rest)) {
    suffixes.push({ weight: SUFFIX_WEIGHT[m[1] ?? ''] ?? NO_SUFFIX, number: orZero(m[2]) });
    rest = rest.slice(m[0].length);
  }
  const hash = HASH.exec(rest)?.[0] ?? '';
  rest = rest.slice(hash.length);
  let release = '0';
  let malformed = false;
  if (rest !== '') {
    const m = RELEASE.exec(rest);
    if (m === null) malformed = true;
    else {
      release = orZero(m[1]);
      rest = rest.slice(m[0].length);
    }
  }
  return { original: version, numbers, letter, suffixes, release, remainder: rest, malformed };
}

function compareNumbers(a: readonly string[], b: readonly string[]): Ordering {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] ?? '0';
    const y = b[i] ?? '0';
    // apk-tools: after the first component, a leading zero makes the component a fraction ("1.02" < "1.1"),
    // compared as a string.
    if (i !== 0 && a[i] !== undefined && b[i] !== undefined && (x.startsWith('0') || y.startsWith('0'))) {
      if (x !== y) return x < y ? -1 : 1;
      continue;
    }
    const order = compareDigitStrings(x === '' ? '0' : x, y === '' ? '0' : y);
    if (order !== 0) return order;
  }
  return 0;
}

function compareSuffixes(a: readonly ApkSuffix[], b: readonly ApkSuffix[]): Ordering {
  const none: ApkSuffix = { weight: NO_SUFFIX, number: '0' };
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] ?? none;
    const y = b[i] ?? none;
    if (x.weight !== y.weight) return x.weight < y.weight ? -1 : 1;
    const order = compareDigitStrings(x.number, y.number);
    if (order !== 0) return order;
  }
  return 0;
}

export function compareParsedApk(a: ApkVersion, b: ApkVersion): Ordering {
  if (a.malformed && b.malformed) {
    return a.original < b.original ? -1 : a.original > b.original ? 1 : 0;
  }
  const numbers = compareNumbers(a.numbers, b.numbers);
  if (numbers !== 0) return numbers;
  if (a.letter !== b.letter) {
    if (a.letter === '') return -1;
    if (b.letter === '') return 1;
    return a.letter < b.letter ? -1 : 1;
  }
  const suffixes = compareSuffixes(a.suffixes, b.suffixes);
  if (suffixes !== 0) return suffixes;
  // commit hashes carry no order
  const release = compareDigitStrings(a.release, b.release);
  if (release !== 0) return release;
  if (a.remainder === '' && b.remainder !== '') return 1;
  if (a.remainder !== '' && b.remainder === '') return -1;
  return 0;
}

/** Orders two apk versions like apk-tools; throws VersionError on unparseable input. */
export function compareApkVersions(a: string, b: string): Ordering {
  return compareParsedApk(parseApkVersion(a), parseApkVersion(b));
}
