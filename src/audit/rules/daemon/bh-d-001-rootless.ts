// BH-D-001: the daemon runs rootless where possible (CIS 1.6.0 2.1, 1.8.0 2.1).
import { checkEngine, ev, fail, pass } from '../../check.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { daemon, engineCase } from '../../cases/daemon.js';
import { buildFacts, engineFacts } from '../../cases/facts.js';

const cases: readonly AuditCase[] = [
  engineCase('root daemon fails', engineFacts(), 'fail', ['/info SecurityOptions']),
  engineCase(
    'rootless passes',
    engineFacts({ security: ['name=seccomp,profile=default', 'name=rootless'] }),
    'pass',
  ),
  {
    name: 'engine down skips',
    facts: buildFacts({ engine: null }),
    expect: daemon('skip', undefined, 'engine not reached'),
  },
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-D-001',
    aliases: ['CIS-1.6.0:2.1', 'CIS-1.8.0:2.1'],
    severity: 'info',
    title: 'Docker daemon runs as a non-root user (rootless mode)',
    rationale:
      'A rootless daemon and its containers hold no host root privileges, so a daemon or runtime escape lands in an ordinary user account.',
    remediation:
      'Where the workload allows it, run Docker in rootless mode (dockerd-rootless-setuptool.sh install).',
    references: ['https://docs.docker.com/engine/security/rootless/'],
    docsUrl: 'docs/rules/audit.md#bh-d-001',
  },
  area: 'daemon',
  needs: 'engine',
  check: checkEngine((engine) => {
    const names = engine.securityOptions.map((o) => o.name);
    return names.includes('rootless')
      ? pass('daemon is rootless', ev('/info SecurityOptions', names))
      : fail('daemon runs as root', ev('/info SecurityOptions', names, 'name=rootless'));
  }),
  cases,
};
