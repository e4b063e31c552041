// BH-W-005: a package manager run in a running container (Falco "Launch Package Management Process in
// Container"): installing software at run time is drift by other means and defeats image scanning.
import { basename, docsUrl, type WatchRule } from '../rule.js';

const MANAGERS = new Set([
  'apt',
  'apt-get',
  'aptitude',
  'dpkg',
  'apk',
  'yum',
  'dnf',
  'microdnf',
  'rpm',
  'zypper',
  'pacman',
  'pip',
  'pip3',
  'npm',
  'yarn',
  'gem',
  'easy_install',
  'cargo',
  'go',
]);

export const rule: WatchRule = {
  meta: {
    id: 'BH-W-005',
    aliases: ['Launch Package Management Process in Container'],
    severity: 'medium',
    title: 'Package manager run in a running container',
    rationale:
      'Packages installed at run time were never scanned and disappear on restart; attackers install tooling this way.',
    remediation: 'Install packages in the Dockerfile and rebuild.',
    references: ['https://falco.org/docs/reference/rules/default-rules/'],
    docsUrl: docsUrl('BH-W-005'),
  },
  check: (f) =>
    f.kind === 'exec' && MANAGERS.has(basename(f.path))
      ? `package manager ${f.path} ran in the container`
      : undefined,
  cases: [
    { name: 'true', input: {}, expect: false },
    { name: 'apt-get', input: { path: '/usr/bin/apt-get' }, expect: true },
    { name: 'apk', input: { path: '/sbin/apk' }, expect: true },
    { name: 'pip3', input: { path: '/usr/local/bin/pip3' }, expect: true },
  ],
};
