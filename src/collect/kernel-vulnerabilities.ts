// The running kernel's own vulnerabilities, a facts stage run before the rules when a vulnerability database is at
// hand: map the kernel that is *running* (not the newest installed) to its distribution package version — Debian's
// `uname -v` "Debian 6.1.76-1 (2024-02-01)" in /proc/version or /proc/sys/kernel/version, Ubuntu's
// /proc/version_signature "Ubuntu 5.15.0-91.101-generic 5.15.131", RHEL-family `uname -r` "5.14.0-362.8.1.el9_3.x86_64"
// — run the distribution's detector on that one package, keep the advisories fixed in a later package, and say for
// each CVE whether an installed kernel package already has the fix (fixed after a reboot) or not; CVEs that a loaded
// live patch says it fixes are moved aside with the source that says so. A kernel without a distribution signature
// (a custom build) is unknown with that reason.
// (Computed in src/collect because it runs the detector; the fact's type and schema are in src/facts.)
import { detectVulnerabilities, familyFor } from '../detect/index.js';
import type { HostFacts } from '../facts/host.js';
import type { KernelVulnerabilities } from '../facts/kernel-vulnerabilities.js';
import { known, unknown, type Known } from '../facts/known.js';
import type { InstalledPackage, OsFamily, OsInfo } from '../packages/types.js';
import { compareVersions, VersionError } from '../versioning/index.js';
import type { VulnDb } from '../vulndb/db.js';
import { DEBIAN_CODENAMES } from '../vulndb/releases.js';

interface RunningKernel {
  readonly os: OsInfo;
  readonly pkg: InstalledPackage;
  readonly versionSource: string;
}

const FAMILIES: Readonly<Record<string, OsFamily>> = {
  debian: 'debian',
  ubuntu: 'ubuntu',
  rhel: 'redhat',
  almalinux: 'alma',
  rocky: 'rocky',
  centos: 'centos',
};

/** Ubuntu flavours built from the main "linux" source; others come from "linux-<flavour>" (linux-aws, ...). */
const UBUNTU_MAIN_FLAVOURS = new Set([
  'generic',
  'lowlatency',
  'generic-64k',
  'generic-lpae',
  'lowlatency-64k',
]);

const RPM_ARCH = /\.(x86_64|aarch64|ppc64le|s390x|i686)(?:\+\w+)?$/;

/** Maps the running kernel to a distribution package, or says why it cannot. */
export function mapRunningKernel(host: HostFacts): RunningKernel | string {
  const releaseFact = host.kernel.release;
  const release = releaseFact.state === 'known' ? releaseFact.value : undefined;
  if (host.os.state === 'unknown') return `the host's os-release is unreadable (${host.os.reason})`;
  const osRelease = host.os.value;
  const family =
    FAMILIES[osRelease.id] ?? osRelease.idLike.map((l) => FAMILIES[l]).find((f) => f !== undefined);
  const os: OsInfo = {
    family: family ?? 'unknown',
    id: osRelease.id,
    ...(osRelease.versionId === undefined ? {} : { versionId: osRelease.versionId }),
    ...(osRelease.versionCodename === undefined
      ? osRelease.id === 'debian' &&
        osRelease.versionId !== undefined &&
        DEBIAN_CODENAMES[osRelease.versionId] !== undefined
        ? { codename: DEBIAN_CODENAMES[osRelease.versionId] ?? '' }
        : {}
      : { codename: osRelease.versionCodename }),
    ...(osRelease.prettyName === undefined ? {} : { prettyName: osRelease.prettyName }),
    evidence: '/etc/os-release',
  };
  const pkg = (name: string, version: string, sourceName: string): InstalledPackage => ({
    format: family === 'debian' || family === 'ubuntu' ? 'dpkg' : 'rpm',
    name,
    version,
    sourceName,
    sourceVersion: version,
    database: 'running kernel',
  });
  const signature = host.kernel.versionSignature;
  if (family === 'ubuntu' && signature?.state === 'known') {
    const m = /^Ubuntu (\d+\.\d+\.\d+-\d+\.\d+)-([a-z0-9-]+) \S+$/.exec(signature.value);
    if (m !== null) {
      const [, version = '', flavour = ''] = m;
      const source = UBUNTU_MAIN_FLAVOURS.has(flavour) ? 'linux' : `linux-${flavour}`;
      return {
        os,
        pkg: pkg(`linux-image-${release ?? version}`, version, source),
        versionSource: signature.source,
      };
    }
  }
  if (family === 'debian') {
    for (const fact of [host.kernel.procVersion, host.kernel.version]) {
      if (fact?.state !== 'known') continue;
      const version = /\bDebian (\d[^\s()]*) \(/.exec(fact.value)?.[1];
      if (version !== undefined)
        return {
          os,
          pkg: pkg(`linux-image-${release ?? version}`, version, 'linux'),
          versionSource: fact.source,
        };
    }
  }
  if ((family === 'redhat' || family === 'alma' || family === 'rocky') && releaseFact.state === 'known') {
    const version = releaseFact.value.replace(RPM_ARCH, '');
    if (version !== releaseFact.value && /\.el\d/.test(version))
      return { os, pkg: pkg('kernel', version, 'kernel'), versionSource: releaseFact.source };
  }
  const version = host.kernel.version.state === 'known' ? ` (${host.kernel.version.value})` : '';
  return `the running kernel ${release ?? '?'}${version} carries no ${osRelease.prettyName ?? osRelease.id} package version (a custom or upstream build?): it cannot be matched to distribution advisories`;
}

/** Installed kernel packages with a version (dpkg), or RHEL releases from /boot and /lib/modules. */
function installedVersions(
  host: HostFacts,
  running: RunningKernel,
): { version: string; name: string }[] | undefined {
  const installed = host.kernel.installed;
  if (installed.state === 'unknown') return undefined;
  return installed.value.flatMap((k) => {
    if (k.version !== undefined) return [{ version: k.version, name: k.name }];
    if (running.pkg.format === 'rpm' && RPM_ARCH.test(k.release))
      return [{ version: k.release.replace(RPM_ARCH, ''), name: k.name }];
    return [];
  });
}

const CVE = /^CVE-\d{4}-\d{4,}$/;

/** The kernelVulnerabilities fact: unknown with a reason when the kernel or the database cannot answer. */
export function computeKernelVulnerabilities(
  host: HostFacts,
  db: VulnDb | string,
): Known<KernelVulnerabilities> {
  const running = mapRunningKernel(host);
  if (typeof running === 'string') return unknown(running);
  if (typeof db === 'string') return unknown(db);
  const family = familyFor(running.os);
  if (typeof family === 'string') return unknown(family);
  const result = detectVulnerabilities(
    { image: 'running kernel', os: running.os, packages: [running.pkg] },
    db,
  );
  // Debian: the DSA/DLA lists state each kernel fix per release; the tracker may not have them all
  const dsaRelease =
    family.ecosystem === 'debian' ? db.releaseId('debian-advisory', family.release) : undefined;
  if (result.unsupported !== undefined && dsaRelease === undefined) return unknown(result.unsupported);
  const installed = installedVersions(host, running);
  const livepatch = host.kernel.livepatchCves?.state === 'known' ? host.kernel.livepatchCves.value : [];
  const patchedBy = new Map(livepatch.map((p) => [p.cve, p.source]));
  const byCve = new Map<string, KernelVulnerabilities['missing'][number]>();
  const livePatched = new Map<string, KernelVulnerabilities['livePatched'][number]>();
  const fixes: { advisory: string; aliases: readonly string[]; fixed: string; severity: string }[] = [];
  for (const finding of result.findings) {
    const fixed = finding.vulnerability?.fixedVersion ?? null;
    if (finding.vulnerability?.status !== 'fixed' || fixed === null) continue;
    fixes.push({ advisory: finding.ruleId, aliases: finding.aliases, fixed, severity: finding.severity });
  }
  // Debian: the DSA/DLA lists state each kernel fix per release; the tracker may not have them all
  for (const row of dsaRelease === undefined ? [] : db.lookup(dsaRelease, running.pkg.sourceName)) {
    if (row.fixed === null || safeCompare(family.scheme, running.pkg.version, row.fixed) >= 0) continue;
    fixes.push({
      advisory: row.vulnerability,
      aliases: row.aliases,
      fixed: row.fixed,
      severity: row.severity ?? 'high',
    });
  }
  for (const { advisory, aliases, fixed, severity } of fixes) {
    const cves = CVE.test(advisory) ? [advisory] : aliases.filter((a) => CVE.test(a));
    // an advisory naming no CVE (a regression update such as DSA-5257-2, an ALBA bug fix) fixes no vulnerability
    for (const cve of cves) {
      const source = patchedBy.get(cve);
      if (source !== undefined) {
        livePatched.set(cve, { cve, advisory, source });
        continue;
      }
      const previous = byCve.get(cve);
      // the first fix wins: the tracker's CVE row and a DSA can both name it
      if (previous !== undefined && safeCompare(family.scheme, previous.fixedVersion, fixed) <= 0) continue;
      let installedFix: string | undefined;
      for (const k of installed ?? [])
        if (safeCompare(family.scheme, k.version, fixed) >= 0 && k.version !== running.pkg.version)
          installedFix ??= `${k.name} ${k.version}`;
      byCve.set(cve, {
        cve,
        advisory,
        fixedVersion: fixed,
        severity,
        state:
          installedFix !== undefined
            ? 'fixed-after-reboot'
            : installed === undefined
              ? 'installed-unknown'
              : 'not-installed',
        ...(installedFix === undefined ? {} : { installedFix }),
      });
    }
  }
  const label = family.label;
  return known(
    {
      kernel: `${label} ${running.pkg.sourceName} ${running.pkg.version}`,
      ecosystem: `${family.ecosystem}:${family.release}`,
      package: running.pkg.sourceName,
      runningVersion: running.pkg.version,
      versionSource: running.versionSource,
      missing: [...byCve.values()].sort((a, b) => (a.cve < b.cve ? -1 : a.cve > b.cve ? 1 : 0)),
      livePatched: [...livePatched.values()].sort((a, b) => (a.cve < b.cve ? -1 : 1)),
    },
    `${running.versionSource} + vulnerability database ${db.path}`,
  );
}

function safeCompare(scheme: Parameters<typeof compareVersions>[0], a: string, b: string): number {
  try {
    return compareVersions(scheme, a, b);
  } catch (error) {
    if (error instanceof VersionError) return -1;
    throw error;
  }
}
