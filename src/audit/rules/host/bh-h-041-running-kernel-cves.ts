// BH-H-041: the running kernel lacks security fixes its distribution has shipped (no CIS item; Debian security
// tracker and DSA list, Ubuntu OSV, AlmaLinux/Rocky OSV, Red Hat VEX). Reads the kernelVulnerabilities fact, which
// the facts stage computes from the vulnerability database before rules run; live-patched CVEs are already out.
import type { AuditCase, AuditRule } from '../../rule.js';
import { checkHost, ev, fail, pass, skip } from '../../check.js';
import { kernelResult, kv } from '../../cases/host.js';
import { known, unknown } from '../../../facts/index.js';

const MAX_LISTED = 12;

function list(ids: readonly string[]): string {
  return ids.length <= MAX_LISTED
    ? ids.join(', ')
    : `${ids.slice(0, MAX_LISTED).join(', ')} and ${ids.length - MAX_LISTED} more`;
}

const cases: readonly AuditCase[] = [
  kv('no database: skip with the reason', unknown('no vulnerability database given'), 'skip'),
  kv(
    'custom kernel: skip',
    unknown('the running kernel 6.18.44-fc-v657 carries no Debian package version'),
    'skip',
  ),
  kv(
    'nothing missing passes',
    known(
      kernelResult(
        [],
        [
          {
            cve: 'CVE-2022-2873',
            advisory: 'DSA-5324-1',
            source: '/sys/kernel/livepatch/kpatch_cve_2022_2873',
          },
        ],
      ),
      'x',
    ),
    'pass',
    ['/proc/version=5.10.162-1'],
  ),
  kv(
    'missing fixes fail, after-reboot and not-installed told apart',
    known(
      kernelResult([
        {
          cve: 'CVE-2023-0179',
          advisory: 'DSA-5324-1',
          fixedVersion: '5.10.162-1',
          severity: 'high',
          state: 'fixed-after-reboot',
          installedFix: 'linux-image-5.10.0-21-amd64 5.10.162-1',
        },
        {
          cve: 'CVE-2023-1234',
          advisory: 'DSA-5400-1',
          fixedVersion: '5.10.179-1',
          severity: 'high',
          state: 'not-installed',
        },
      ]),
      'x',
    ),
    'fail',
    ['/proc/version=5.10.162-1', 'DSA-5324-1=CVE-2023-0179', 'DSA-5400-1=CVE-2023-1234'],
  ),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-H-041',
    aliases: [],
    severity: 'high',
    title: 'The running kernel has the security fixes its distribution shipped',
    rationale:
      'Every container shares the host kernel: a kernel hole is a hole in every container wall. Scanners judge the installed kernel package, but until a reboot the old kernel keeps running.',
    remediation:
      'Install the fixed kernel package and reboot into it (or load a live patch that covers the CVEs); "fixed after reboot" means the package is already installed and only the reboot is missing.',
    references: [
      'https://security-tracker.debian.org/tracker/source-package/linux',
      'https://ubuntu.com/security/cves?package=linux',
      'https://access.redhat.com/security/vulnerabilities',
    ],
    docsUrl: 'docs/rules/audit.md#bh-h-041',
  },
  area: 'host',
  needs: 'host',
  check: checkHost((ctx) => {
    const fact = ctx.facts.kernelVulnerabilities;
    if (fact === undefined) return skip('these facts were recorded without the running-kernel lookup');
    if (fact.state === 'unknown') return skip(fact.reason);
    const k = fact.value;
    const patched =
      k.livePatched.length === 0
        ? ''
        : `; live patches cover ${list(k.livePatched.map((p) => `${p.cve} (${p.source})`))}`;
    if (k.missing.length === 0)
      return pass(
        `running kernel ${k.kernel} (${k.versionSource}) lacks no shipped fix${patched}`,
        ev(k.versionSource, k.runningVersion),
      );
    const afterReboot = k.missing.filter((m) => m.state === 'fixed-after-reboot');
    const notInstalled = k.missing.filter((m) => m.state !== 'fixed-after-reboot');
    const parts = [
      afterReboot.length === 0
        ? undefined
        : `fixed after reboot (${afterReboot[0]?.installedFix ?? 'a newer kernel'} is installed): ${list(afterReboot.map((m) => m.cve))}`,
      notInstalled.length === 0
        ? undefined
        : `${notInstalled.some((m) => m.state === 'installed-unknown') ? 'fix not known to be installed' : 'fix not installed'}: ${list(notInstalled.map((m) => `${m.cve} (${m.fixedVersion})`))}`,
    ].filter((p): p is string => p !== undefined);
    return fail(
      `running kernel ${k.kernel} lacks ${k.missing.length} CVE fix${k.missing.length === 1 ? '' : 'es'}: ${parts.join('; ')}${patched}`,
      ev(
        k.versionSource,
        k.runningVersion,
        `>= ${
          k.missing
            .map((m) => m.fixedVersion)
            .sort()
            .at(-1) ?? '?'
        }`,
      ),
      ...k.missing.slice(0, MAX_LISTED).map((m) => ev(m.advisory, m.cve, `${m.fixedVersion} (${m.state})`)),
    );
  }),
  cases,
};
