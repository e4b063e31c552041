// BH-W-010: host application control (watch --host): a host process executed a package-owned file whose content no
// longer matches the digest its package recorded (dpkg md5sums, rpm FILEDIGESTS) — what `dpkg --verify` and
// `rpm -V` report as a changed file (digest column "5").
import { docsUrl, type WatchRule } from '../rule.js';

export const rule: WatchRule = {
  meta: {
    id: 'BH-W-010',
    aliases: ['dpkg --verify / rpm -V: digest mismatch'],
    severity: 'critical',
    title: 'Host executed a package file that differs from its package',
    rationale:
      'A packaged binary changes only when its package is upgraded; one whose content differs from the package database was overwritten in place, the way rootkits and runtime-binary overwrites (CVE-2019-5736) persist.',
    remediation:
      'Compare it (`dpkg --verify PKG` or `rpm -V PKG`), reinstall the package from a trusted mirror, and find out who wrote the file. If the change is intended, learn and promote the host profile (its sha256 then vouches for it).',
    references: [
      'https://man7.org/linux/man-pages/man1/dpkg.1.html',
      'https://rpm.org/docs/4.18.x/man/rpm.8',
    ],
    docsUrl: docsUrl('BH-W-010'),
  },
  check: (f) =>
    f.scope === 'host' && f.kind === 'exec' && f.hostPackage?.verified === false && f.inProfile !== true
      ? `${f.path} differs from the digest package ${f.hostPackage.name} recorded (modified package file)`
      : undefined,
  cases: [
    {
      name: 'package file as shipped',
      input: { scope: 'host', hostPackage: { name: 'coreutils', verified: true } },
      expect: false,
    },
    {
      name: 'package recorded no digest',
      input: { scope: 'host', hostPackage: { name: 'x', verified: undefined } },
      expect: false,
    },
    {
      name: 'changed, promoted with its new sha256',
      input: { scope: 'host', inProfile: true, hostPackage: { name: 'coreutils', verified: false } },
      expect: false,
    },
    {
      name: 'changed on disk',
      input: { scope: 'host', inProfile: undefined, hostPackage: { name: 'coreutils', verified: false } },
      expect: true,
    },
    {
      name: 'a container exec',
      input: { hostPackage: { name: 'coreutils', verified: false } },
      expect: false,
    },
  ],
};
