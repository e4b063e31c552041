// BH-C-027: the container's process does not run as root, unless the daemon remaps root to an unprivileged
// host uid (CIS 1.6.0 4.1, 1.8.0 4.1: docker-bench-security checks Config.User of running containers).
import { checkContainers, ev, fail, pass } from '../../check.js';
import { isRootUser } from '../../../shared/user.js';
import { usernsRemapped } from '../../daemon-facts.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { one } from '../../cases/container.js';
import { container, engineFacts } from '../../cases/facts.js';

const cases: readonly AuditCase[] = [
  one('root fails', container('web'), 'fail', ['Config.User=(empty: root)']),
  one('0:0 fails', container('web', {}, { Config: { User: '0:0' } }), 'fail'),
  // runc parses the uid with strconv.Atoi (src/shared/user.ts): a sign or leading zeros are still uid 0
  one('+0 fails', container('web', {}, { Config: { User: '+0' } }), 'fail'),
  one('00:00 fails', container('web', {}, { Config: { User: '00:00' } }), 'fail'),
  one(
    'ROOT passes (no such user: names are case-sensitive)',
    container('web', {}, { Config: { User: 'ROOT' } }),
    'pass',
  ),
  one('1000 passes', container('web', {}, { Config: { User: '1000' } }), 'pass'),
  one('root under userns-remap passes', container('web'), 'pass', [], {
    engine: engineFacts({ security: ['name=apparmor', 'name=seccomp,profile=default', 'name=userns'] }),
  }),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-C-027',
    aliases: ['CIS-1.6.0:4.1', 'CIS-1.8.0:4.1'],
    severity: 'medium',
    title: 'Container does not run as root',
    rationale:
      'Root in a container is root on the host kernel: any escape (runc CVE, kernel bug, mount) starts from uid 0.',
    remediation: 'Set USER in the image or start with --user UID:GID; or enable userns-remap on the daemon.',
    references: ['https://docs.docker.com/engine/security/userns-remap/'],
    docsUrl: 'docs/rules/audit.md#bh-c-027',
  },
  area: 'container',
  needs: 'engine',
  check: checkContainers((c, ctx) => {
    const user = c.Config?.User ?? '';
    const evidence = ev('Config.User', user === '' ? '(empty: root)' : user, 'a non-root uid');
    // Config.User holds the image's USER merged in at create, so "" really is root
    if (!isRootUser(user, { defaultIsRoot: true })) return pass(`runs as ${user}`, ev('Config.User', user));
    if (usernsRemapped(ctx.facts) && c.HostConfig?.UsernsMode !== 'host')
      return pass('root inside the container, remapped to an unprivileged host uid (userns-remap)', evidence);
    return fail('runs as root', evidence);
  }),
  cases,
};
