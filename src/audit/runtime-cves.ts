// Matches runc/containerd/docker versions against ESCAPE_CVES: Engine API component versions (upstream
// numbers, maybe of a distribution build) and host packages (exact distribution fixes where known).
import { compareVersions } from '../versioning/index.js';
import { componentOf, ESCAPE_CVES, type EscapeCve } from './escape-cves.js';
import { isVulnerable, parseUpstreamVersion } from './upstream-version.js';

export interface CveMatch {
  readonly name: string;
  readonly version: string;
  readonly cve: EscapeCve;
  /** vulnerable: proven; undecided: a distribution build older than the upstream fix with no known package fix. */
  readonly status: 'vulnerable' | 'undecided';
  readonly basis: string;
}

/** Matches one component version (Engine API "runc" "1.1.5+ds1") or package (dpkg "runc" "1.1.5+ds1-1+deb12u1"). */
export function matchEscapeCves(
  name: string,
  version: string,
  pkg?: { readonly scheme: 'deb' | 'apk'; readonly distro: string | undefined },
  context: { readonly authz: boolean } = { authz: false },
): CveMatch[] {
  const component = componentOf(name);
  const upstream = parseUpstreamVersion(version);
  if (component === undefined || upstream === undefined) return [];
  const out: CveMatch[] = [];
  for (const cve of ESCAPE_CVES) {
    if (cve.component !== component) continue;
    if (cve.requiresAuthz === true && !context.authz) continue; // AuthZ bypasses matter only with a plugin
    if (!isVulnerable(upstream, cve.fixed)) continue;
    const distroFix = pkg?.distro === undefined ? undefined : cve.distroFixed?.[pkg.distro]?.[name];
    if (pkg !== undefined && distroFix !== undefined) {
      let older: boolean;
      try {
        older = compareVersions(pkg.scheme, version, distroFix) < 0;
      } catch {
        older = true;
      }
      if (older)
        out.push({ name, version, cve, status: 'vulnerable', basis: `${pkg.distro} fixed in ${distroFix}` });
      continue;
    }
    out.push(
      upstream.distro
        ? {
            name,
            version,
            cve,
            status: 'undecided',
            basis: `upstream fix ${cve.fixed.join(' / ')}; distribution build may carry a backport`,
          }
        : { name, version, cve, status: 'vulnerable', basis: `fixed upstream in ${cve.fixed.join(' / ')}` },
    );
  }
  return out;
}
