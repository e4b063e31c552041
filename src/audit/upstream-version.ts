// Compares upstream release versions of runc, containerd and Docker as the projects tag them ("v1.1.12",
// "1.0.0-rc93", "1.4.0-rc.3", "20.10.24"): numeric release parts, then a pre-release sorts before its release
// (semver.org §11). Distribution builds ("1.1.5+ds1", "1.6.20~ds1-1+deb12u3", "1:20.10.24+dfsg1-1") are reduced
// to their upstream part, and flagged, since their maintainers backport fixes without changing it.

export interface UpstreamVersion {
  readonly release: readonly number[];
  /** "rc93", "rc.3", "beta.1"; undefined for a final release. */
  readonly pre: string | undefined;
  /** True when the string carried distribution decoration (epoch, +ds/+dfsg, ~ds, Debian revision). */
  readonly distro: boolean;
  readonly text: string;
}

/** Parses an upstream or distribution version; undefined when it has no leading number. */
export function parseUpstreamVersion(text: string): UpstreamVersion | undefined {
  let v = text.trim().replace(/^v/i, '');
  let distro = false;
  v = v.replace(/^\d+:/, ''); // epoch (Debian policy 5.6.12)
  // Debian/RPM revision: after the last hyphen, starting with a digit ("1", "1+deb12u3", "1~debian.12~bookworm")
  const hyphen = v.lastIndexOf('-');
  if (hyphen !== -1 && /^\d/.test(v.slice(hyphen + 1))) {
    const revision = v.slice(hyphen + 1);
    // a security suffix means the distribution patches this package itself
    if (/deb\d+u|ubuntu|\+b\d|el\d|fc\d/.test(revision)) distro = true;
    v = v.slice(0, hyphen);
  }
  // repacked upstream sources: "+ds1", "+dfsg1", "~ds1" -- a distribution build
  const repack = /[+~](ds|dfsg|repack)[\w.]*$/i.exec(v);
  if (repack !== null) {
    v = v.slice(0, repack.index);
    distro = true;
  }
  const m = /^(\d+(?:\.\d+)*)(?:[-~.]?((?:rc|alpha|beta|pre)[.\w]*))?/i.exec(v);
  if (m === null) return undefined;
  const [, release = '', pre] = m;
  return { release: release.split('.').map(Number), pre: pre?.toLowerCase(), distro, text };
}

function comparePre(a: string | undefined, b: string | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  const pa = /^([a-z]+)\.?(\d*)/.exec(a);
  const pb = /^([a-z]+)\.?(\d*)/.exec(b);
  const [, la = '', na = ''] = pa ?? [];
  const [, lb = '', nb = ''] = pb ?? [];
  if (la !== lb) return la < lb ? -1 : 1;
  return Math.sign(Number(na === '' ? 0 : na) - Number(nb === '' ? 0 : nb));
}

/** -1, 0 or 1 as `a` is older than, equal to or newer than `b`. */
export function compareUpstream(a: UpstreamVersion, b: UpstreamVersion): number {
  const n = Math.max(a.release.length, b.release.length);
  for (let i = 0; i < n; i += 1) {
    const d = (a.release[i] ?? 0) - (b.release[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return comparePre(a.pre, b.pre);
}

/** "major.minor" of a version: the release line fixes are published on. */
export function lineOf(v: UpstreamVersion): string {
  return `${v.release[0] ?? 0}.${v.release[1] ?? 0}`;
}

/**
 * Vulnerable when older than the fix on its own release line, or, on a line with no fix listed, older than
 * every fix (an older, unpatched line). `fixed` lists the first fixed version of each maintained line.
 */
export function isVulnerable(version: UpstreamVersion, fixed: readonly string[]): boolean {
  const fixes = fixed.map(parseUpstreamVersion).filter((f): f is UpstreamVersion => f !== undefined);
  const sameLine = fixes.filter((f) => lineOf(f) === lineOf(version));
  if (sameLine.length > 0) return sameLine.every((f) => compareUpstream(version, f) < 0);
  return fixes.every((f) => compareUpstream(version, f) < 0);
}
