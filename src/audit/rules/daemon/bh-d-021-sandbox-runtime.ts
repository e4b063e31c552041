// BH-D-021: a sandbox runtime (gVisor runsc or Kata) is registered so weakened workloads can be isolated
// (no CIS item; gvisor.dev/docs/user_guide/install/).
import { checkEngine, ev, fail, pass } from '../../check.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { engineCase, info } from '../../cases/daemon.js';
import { engineFacts } from '../../cases/facts.js';

const SANDBOX = /(runsc|gvisor|kata)/i;

const cases: readonly AuditCase[] = [
  engineCase('runc only fails', engineFacts(), 'fail'),
  engineCase(
    'runsc passes',
    info({ Runtimes: { runc: { path: 'runc' }, runsc: { path: '/usr/bin/runsc' } } }),
    'pass',
  ),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-D-021',
    aliases: [],
    severity: 'low',
    title: 'A sandbox runtime (gVisor or Kata) is available',
    rationale:
      'runc containers share the host kernel; a sandbox runtime gives untrusted or weakened workloads a second kernel boundary.',
    remediation:
      'Install gVisor (runsc install) or Kata Containers and register it under "runtimes" in daemon.json.',
    references: ['https://gvisor.dev/docs/user_guide/install/', 'https://katacontainers.io/'],
    docsUrl: 'docs/rules/audit.md#bh-d-021',
  },
  area: 'daemon',
  needs: 'engine',
  check: checkEngine((engine) => {
    const runtimes = engine.info.Runtimes ?? {};
    const sandboxes = Object.entries(runtimes)
      .filter(([name, r]) => SANDBOX.test(name) || SANDBOX.test(r.path ?? ''))
      .map(([name]) => name);
    return sandboxes.length > 0
      ? pass(`sandbox runtimes: ${sandboxes.join(', ')}`, ev('/info Runtimes', Object.keys(runtimes)))
      : fail(
          'only kernel-sharing runtimes are registered',
          ev('/info Runtimes', Object.keys(runtimes), 'runsc or kata'),
        );
  }),
  cases,
};
