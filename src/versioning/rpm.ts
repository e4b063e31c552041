// RPM version parsing and ordering, following rpm's rpmvercmp() (rpmio/rpmvercmp.c) and rpmverCmp() for
// [epoch:]version[-release]: alphanumeric segments, '~' sorts before everything, '^' after the base version;
// a missing release compares as an empty one, as rpm.vercmp does.
import { compareDigitStrings, sign, VersionError, type Ordering } from './errors.js';

export interface RpmVersion {
  readonly epoch: string;
  readonly version: string;
  /** Release, or undefined when the string has none (it then compares as an empty release). */
  readonly release: string | undefined;
}

const RPM_CHARS = /^[A-Za-z0-9._+~^-]+$/;

/** Parses an EVR string; throws VersionError for empty input, spaces, a bad epoch or a missing version. */
export function parseRpmVersion(text: string): RpmVersion {
  if (text.trim() === '') throw new VersionError('rpm', text, 'version string is empty');
  let rest = text;
  let epoch = '0';
  const colon = text.indexOf(':');
  if (colon !== -1) {
    epoch = text.slice(0, colon);
    if (!/^[0-9]+$/.test(epoch)) throw new VersionError('rpm', text, 'epoch is not a number');
    rest = text.slice(colon + 1);
  }
  if (!RPM_CHARS.test(rest)) throw new VersionError('rpm', text, 'invalid character in version');
  const dash = rest.lastIndexOf('-');
  const version = dash === -1 ? rest : rest.slice(0, dash);
  const release = dash === -1 ? undefined : rest.slice(dash + 1);
  if (version === '') throw new VersionError('rpm', text, 'version is empty');
  if (release === '') throw new VersionError('rpm', text, 'release is empty');
  return { epoch, version, release };
}

const isAlnum = (c: string): boolean => /^[A-Za-z0-9]$/.test(c);
const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isAlpha = (c: string): boolean => /^[A-Za-z]$/.test(c);

/** rpmvercmp(): compares one version or release string. */
export function rpmvercmp(a: string, b: string): Ordering {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  for (;;) {
    while (i < a.length && !isAlnum(a.charAt(i)) && a.charAt(i) !== '~' && a.charAt(i) !== '^') i++;
    while (j < b.length && !isAlnum(b.charAt(j)) && b.charAt(j) !== '~' && b.charAt(j) !== '^') j++;
    const ca = a.charAt(i);
    const cb = b.charAt(j);
    if (i >= a.length && j >= b.length) return 0;
    // '~' (pre-release) sorts before everything, including the end of the string
    if (ca === '~' || cb === '~') {
      if (ca !== '~') return 1;
      if (cb !== '~') return -1;
      i++;
      j++;
      continue;
    }
    // '^' (post-release snapshot) sorts after the end of the string but before any other segment
    if (ca === '^' || cb === '^') {
      if (i >= a.length) return -1;
      if (j >= b.length) return 1;
      if (ca !== '^') return 1;
      if (cb !== '^') return -1;
      i++;
      j++;
      continue;
    }
    if (i >= a.length || j >= b.length) break;
    const numeric = isDigit(ca);
    const test = numeric ? isDigit : isAlpha;
    let ei = i;
    let ej = j;
    while (ei < a.length && test(a.charAt(ei))) ei++;
    while (ej < b.length && test(b.charAt(ej))) ej++;
    // segments of different types: numeric is newer than alphabetic
    if (ej === j) return numeric ? 1 : -1;
    const sa = a.slice(i, ei);
    const sb = b.slice(j, ej);
    const order = numeric ? compareDigitStrings(sa, sb) : sa < sb ? -1 : sa > sb ? 1 : 0;
    if (order !== 0) return order;
    i = ei;
    j = ej;
  }
  if (i >= a.length && j >= b.length) return 0;
  return i >= a.length ? -1 : 1;
}

export function compareParsedRpm(a: RpmVersion, b: RpmVersion): Ordering {
  const epoch = compareDigitStrings(a.epoch, b.epoch);
  if (epoch !== 0) return epoch;
  const version = rpmvercmp(a.version, b.version);
  if (version !== 0) return version;
  // rpm 4.18's rpmverCmp compares a missing release as "": "1.0-1" > "1.0" (rpm.vercmp agrees)
  return sign(rpmvercmp(a.release ?? '', b.release ?? ''));
}

/** Orders two rpm EVR strings like rpm; throws VersionError on unparseable input. */
export function compareRpmVersions(a: string, b: string): Ordering {
  return compareParsedRpm(parseRpmVersion(a), parseRpmVersion(b));
}
