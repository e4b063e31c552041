// BH-D-010: user namespace remapping is on (CIS 1.6.0 2.9, 1.8.0 2.10).
import { checkDaemon, ev, fail, pass, skip } from '../../check.js';
import { daemonSetting } from '../../daemon-setting.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { hostCase, engineCase } from '../../cases/daemon.js';
import { engineFacts } from '../../cases/facts.js';

const cases: readonly AuditCase[] = [
  engineCase('no userns fails', engineFacts(), 'fail'),
  engineCase(
    'userns passes',
    engineFacts({ security: ['name=seccomp,profile=default', 'name=userns'] }),
    'pass',
  ),
  hostCase('daemon.json userns-remap passes without the engine', {}, { 'userns-remap': 'default' }, 'pass', [
    '"userns-remap": "default"',
  ]),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-D-010',
    aliases: ['CIS-1.6.0:2.9', 'CIS-1.8.0:2.10'],
    severity: 'medium',
    title: 'User namespace remapping is enabled',
    rationale:
      'With userns-remap, uid 0 in a container is an unprivileged uid on the host, so an escape does not start as host root.',
    remediation: 'Set "userns-remap": "default" in daemon.json (check volume ownership first).',
    references: ['https://docs.docker.com/engine/security/userns-remap/'],
    docsUrl: 'docs/rules/audit.md#bh-d-010',
  },
  area: 'daemon',
  needs: 'both',
  check: checkDaemon((ctx) => {
    const engine = ctx.facts.engine;
    if (engine.state === 'known') {
      const names = engine.value.securityOptions.map((o) => o.name);
      return names.includes('userns') || names.includes('rootless')
        ? pass('container root is remapped', ev('/info SecurityOptions', names))
        : fail('no user namespace remapping', ev('/info SecurityOptions', names, 'name=userns'));
    }
    const s = daemonSetting(ctx.facts.host, 'userns-remap', 'default');
    if (s.state === 'unknown') return skip(s.reason);
    return s.state === 'set' && s.setting.value !== ''
      ? pass('userns-remap set', s.evidence)
      : fail('no user namespace remapping', s.evidence);
  }),
  cases,
};
