// BH-W-009: host application control (watch --host): a host process executed a file that no package owns (dpkg
// lists, rpm headers) and that the promoted host profile does not list with its current sha256 — the execution
// allow-list of NIST SP 800-167 "Guide to Application Whitelisting", enforced by the exec gate in deny mode.
import { docsUrl, type WatchRule } from '../rule.js';

export const rule: WatchRule = {
  meta: {
    id: 'BH-W-009',
    aliases: ['Application control: unlisted executable'],
    severity: 'high',
    title: 'Host executed a file that no package owns and the host profile does not list',
    rationale:
      "On a Docker host the programs that run come from the distribution's packages or were installed on purpose; a binary that neither the package manager nor the learned host profile vouches for was dropped there (a container escape, a compromised account, a hand-copied tool).",
    remediation:
      'If it is legitimate, learn it (`bulkhead watch --host --mode learn`), read `bulkhead watch profile diff host` and promote; else find who wrote it (its path, owner and mtime) and remove it.',
    references: ['https://csrc.nist.gov/pubs/sp/800/167/final'],
    docsUrl: docsUrl('BH-W-009'),
  },
  check: (f) =>
    f.scope === 'host' && f.kind === 'exec' && f.hostPackage === undefined && f.inProfile !== true
      ? `${f.path} is not owned by any package and not in the host allow-list`
      : undefined,
  cases: [
    { name: 'a container exec', input: { inProfile: false }, expect: false },
    {
      name: 'package-owned host binary',
      input: { scope: 'host', inProfile: undefined, hostPackage: { name: 'coreutils', verified: true } },
      expect: false,
    },
    { name: 'unowned, in the host profile', input: { scope: 'host', inProfile: true }, expect: false },
    {
      name: 'unowned, no host profile yet',
      input: { scope: 'host', inProfile: undefined, path: '/usr/local/bin/x', exe: '/usr/local/bin/x' },
      expect: true,
    },
    { name: 'unowned, not listed', input: { scope: 'host', inProfile: false, path: '/tmp/x' }, expect: true },
  ],
};
