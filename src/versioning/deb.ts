// Debian version parsing and ordering, following deb-version(7) and dpkg's lib/dpkg/version.c + parsehelp.c:
// [epoch:]upstream[-revision]; letters sort before non-letters, '~' sorts before everything, even the end.
import { compareDigitStrings, sign, VersionError, type Ordering } from './errors.js';

export interface DebVersion {
  /** Epoch as a digit string ("0" when absent). */
  readonly epoch: string;
  readonly upstream: string;
  /** Debian revision ("" when absent; dpkg treats "" and "0" alike). */
  readonly revision: string;
}

const UPSTREAM_CHARS = /^[A-Za-z0-9.+~:-]+$/;
const REVISION_CHARS = /^[A-Za-z0-9.+~]+$/;
// dpkg stores the epoch in an int and rejects values above INT_MAX.
const MAX_EPOCH = 2147483647;

function fail(version: string, reason: string): never {
  throw new VersionError('deb', version, reason);
}

/** Parses a Debian version; throws VersionError for anything dpkg would reject (empty, spaces, bad epoch, ...). */
export function parseDebVersion(version: string): DebVersion {
  const text = version.trim();
  if (text === '') fail(version, 'version string is empty');
  if (/\s/.test(text)) fail(version, 'version string has embedded spaces');
  let epoch = '0';
  let rest = text;
  const colon = text.indexOf(':');
  if (colon !== -1) {
    epoch = text.slice(0, colon);
    if (epoch === '') fail(version, 'epoch in version is empty');
    if (!/^[0-9]+$/.test(epoch)) fail(version, 'epoch in version is not number');
    if (Number(epoch) > MAX_EPOCH) fail(version, 'epoch in version is too big');
    rest = text.slice(colon + 1);
    if (rest === '') fail(version, 'nothing after colon in version number');
  }
  let upstream = rest;
  let revision = '';
  const dash = rest.lastIndexOf('-');
  if (dash !== -1) {
    upstream = rest.slice(0, dash);
    revision = rest.slice(dash + 1);
    if (revision === '') fail(version, 'revision number is empty');
  }
  if (upstream === '') fail(version, 'upstream version is empty');
  // dpkg only warns here; a version that does not start with a digit cannot be ordered reliably, so we refuse it.
  if (!/^[0-9]/.test(upstream)) fail(version, 'version number does not start with digit');
  if (!UPSTREAM_CHARS.test(upstream)) fail(version, 'invalid character in version number');
  if (revision !== '' && !REVISION_CHARS.test(revision))
    fail(version, 'invalid character in revision number');
  return { epoch, upstream, revision };
}

/** dpkg's order() for one character of a non-digit run: '~' < end < letters < everything else. */
function weight(text: string, index: number): number {
  if (index >= text.length) return 0;
  const c = text.charCodeAt(index);
  if (c === 0x7e) return -1; // '~'
  if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) return c;
  if (c >= 0x30 && c <= 0x39) return 0;
  return c + 256;
}

function isDigit(text: string, index: number): boolean {
  const c = text.charCodeAt(index);
  return c >= 0x30 && c <= 0x39;
}

/** dpkg's verrevcmp(): alternating non-digit and digit runs. */
export function compareDebFragment(a: string, b: string): Ordering {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while ((i < a.length && !isDigit(a, i)) || (j < b.length && !isDigit(b, j))) {
      const wa = weight(a, i);
      const wb = weight(b, j);
      if (wa !== wb) return sign(wa - wb);
      i++;
      j++;
    }
    const startA = i;
    const startB = j;
    while (i < a.length && isDigit(a, i)) i++;
    while (j < b.length && isDigit(b, j)) j++;
    const order = compareDigitStrings(a.slice(startA, i) || '0', b.slice(startB, j) || '0');
    if (order !== 0) return order;
  }
  return 0;
}

export function compareParsedDeb(a: DebVersion, b: DebVersion): Ordering {
  return (
    compareDigitStrings(a.epoch, b.epoch) ||
    compareDebFragment(a.upstream, b.upstream) ||
    compareDebFragment(a.revision, b.revision)
  );
}

/** Orders two Debian versions like `dpkg --compare-versions`; throws VersionError on unparseable input. */
export function compareDebVersions(a: string, b: string): Ordering {
  return compareParsedDeb(parseDebVersion(a), parseDebVersion(b));
}
