// RPM version parsing and ordering, a transcription of rpm 4.18's rpmvercmp() (rpmio/rpmvercmp.c) and of
// rpmverParse()/rpmverCmp() (lib/rpmver.c) for [epoch:]version[-release]: ASCII alphanumeric segments, every other
// character (including non-ASCII) a separator, '~' before everything, '^' after the base version. Like rpm it is
// total: any string has an order (rpm works on C strings, so text after a NUL is ignored), nothing ever throws.
import type { Ordering } from './errors.js';

export interface RpmVersion {
  /** Epoch text as rpm keeps it ("0" when absent; compared with rpmvercmp, so "01" equals "1"). */
  readonly epoch: string;
  readonly version: string;
  /** Release, or undefined when the string has none (then the side with a release is the newer). */
  readonly release: string | undefined;
}

/** rpm passes C strings: a NUL ends the string. */
function cString(text: string): string {
  const nul = text.indexOf('\u0000');
  return nul === -1 ? text : text.slice(0, nul);
}

/**
 * parseEVR() of lib/rpmver.c: the epoch is a run of leading ASCII digits ended by ':' (an empty one is "0"; a
 * non-numeric "x:" is not an epoch and stays part of the version); the release follows the last '-' after it.
 */
export function parseRpmVersion(input: string): RpmVersion {
  const text = cString(input);
  let s = 0;
  while (s < text.length && isDigit(text.charCodeAt(s))) s++;
  let epoch = '0';
  let rest = text;
  let restStart = 0;
  if (text.charCodeAt(s) === 0x3a) {
    epoch = s === 0 ? '0' : text.slice(0, s);
    rest = text.slice(s + 1);
    restStart = s + 1;
  }
  // strrchr(s, '-') searches from the end of the epoch digits, which may lie inside the version when no ':' follows
  const dash = text.lastIndexOf('-');
  if (dash >= s && dash >= restStart) {
    return { epoch, version: rest.slice(0, dash - restStart), release: text.slice(dash + 1) };
  }
  return { epoch, version: rest, release: undefined };
}

// rpm's own ctype (rpmio/rpmstring.h): ASCII only, independent of the locale
function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}
function isAlpha(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}
function isAlnum(c: number): boolean {
  return isDigit(c) || isAlpha(c);
}

const TILDE = 0x7e;
const CARET = 0x5e;
/** charCodeAt past the end is NaN; the C code reads the terminating NUL there. */
const at = (s: string, i: number): number => (i < s.length ? s.charCodeAt(i) : 0);

/** rpmvercmp(): compares one version (or release, or epoch) string. */
export function rpmvercmp(left: string, right: string): Ordering {
  const a = cString(left);
  const b = cString(right);
  if (a === b) return 0;
  let one = 0;
  let two = 0;
  while (one < a.length || two < b.length) {
    while (one < a.length && !isAlnum(at(a, one)) && at(a, one) !== TILDE && at(a, one) !== CARET) one++;
    while (two < b.length && !isAlnum(at(b, two)) && at(b, two) !== TILDE && at(b, two) !== CARET) two++;
    const ca = at(a, one);
    const cb = at(b, two);
    // '~' sorts before everything, even the end of the string
    if (ca === TILDE || cb === TILDE) {
      if (ca !== TILDE) return 1;
      if (cb !== TILDE) return -1;
      one++;
      two++;
      continue;
    }
    // '^' sorts like '~' except that the end of the other string (the base version) sorts before it
    if (ca === CARET || cb === CARET) {
      if (one >= a.length) return -1;
      if (two >= b.length) return 1;
      if (ca !== CARET) return 1;
      if (cb !== CARET) return -1;
      one++;
      two++;
      continue;
    }
    if (!(one < a.length && two < b.length)) break;
    const numeric = isDigit(ca);
    const test = numeric ? isDigit : isAlpha;
    let end1 = one;
    let end2 = two;
    while (end1 < a.length && test(a.charCodeAt(end1))) end1++;
    while (end2 < b.length && test(b.charCodeAt(end2))) end2++;
    // segments of different types (the other one is empty here): numeric is newer than alphabetic
    if (end2 === two) return numeric ? 1 : -1;
    let s1 = a.slice(one, end1);
    let s2 = b.slice(two, end2);
    if (numeric) {
      s1 = s1.replace(/^0+/, '');
      s2 = s2.replace(/^0+/, '');
      if (s1.length !== s2.length) return s1.length > s2.length ? 1 : -1;
    }
    // strcmp on ASCII letters or digits: UTF-16 code unit order is byte order here
    if (s1 !== s2) return s1 < s2 ? -1 : 1;
    one = end1;
    two = end2;
  }
  if (one >= a.length && two >= b.length) return 0;
  return one >= a.length ? -1 : 1;
}

/**
 * rpmverCmp(): epoch, then version, then release. When only one side has a release (even an empty or '~' one),
 * that side is the newer, as rpm 4.18's rpm.vercmp answers ("1.0-~1" > "1.0", "1.0-" > "1.0").
 */
export function compareParsedRpm(a: RpmVersion, b: RpmVersion): Ordering {
  const epoch = rpmvercmp(a.epoch, b.epoch);
  if (epoch !== 0) return epoch;
  const version = rpmvercmp(a.version, b.version);
  if (version !== 0) return version;
  if (a.release === undefined || b.release === undefined) {
    if (a.release === b.release) return 0;
    return a.release === undefined ? -1 : 1;
  }
  return rpmvercmp(a.release, b.release);
}

/** Orders two rpm EVR strings exactly like rpm.vercmp(); total on every string, never throws. */
export function compareRpmVersions(a: string, b: string): Ordering {
  return compareParsedRpm(parseRpmVersion(a), parseRpmVersion(b));
}

/** "name-version-release" split at its last two dashes; undefined when it has fewer than two. */
export function splitNevr(nevr: string): { name: string; evr: string } | undefined {
  const match = /^(.+)-([^-]+-[^-]+)$/.exec(nevr);
  if (match === null) return undefined;
  const [, name = '', evr = ''] = match;
  return { name, evr };
}
