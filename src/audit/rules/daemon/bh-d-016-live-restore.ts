// BH-D-016: live restore is enabled (CIS 1.6.0 2.15, 1.8.0 2.16).
import { checkDaemon, ev, fail, notApplicable, pass, skip } from '../../check.js';
import { asBoolean, daemonSetting } from '../../daemon-setting.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { engineCase, info } from '../../cases/daemon.js';
import { engineFacts } from '../../cases/facts.js';

const cases: readonly AuditCase[] = [
  engineCase('off fails', engineFacts(), 'fail', ['/info LiveRestoreEnabled=false']),
  engineCase('on passes', info({ LiveRestoreEnabled: true }), 'pass'),
  engineCase('swarm is not applicable', info({ Swarm: { LocalNodeState: 'active' } }), 'not-applicable'),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-D-016',
    aliases: ['CIS-1.6.0:2.15', 'CIS-1.8.0:2.16'],
    severity: 'low',
    title: 'Live restore is enabled',
    rationale:
      'With live restore, containers keep running while dockerd restarts, so daemon security updates can be applied without downtime.',
    remediation: 'Set "live-restore": true in daemon.json.',
    references: ['https://docs.docker.com/config/containers/live-restore/'],
    docsUrl: 'docs/rules/audit.md#bh-d-016',
  },
  area: 'daemon',
  needs: 'both',
  check: checkDaemon((ctx) => {
    const engine = ctx.facts.engine;
    if (engine.state === 'known') {
      if (engine.value.info.Swarm?.LocalNodeState === 'active')
        return notApplicable(
          'live restore is incompatible with swarm mode',
          ev('/info Swarm.LocalNodeState', 'active'),
        );
      const on = engine.value.info.LiveRestoreEnabled === true;
      const evidence = ev('/info LiveRestoreEnabled', on, 'true');
      return on ? pass('live restore on', evidence) : fail('live restore off', evidence);
    }
    const s = daemonSetting(ctx.facts.host, 'live-restore', 'true');
    if (s.state === 'unknown') return skip(s.reason);
    return s.state === 'set' && asBoolean(s.setting.value) === true
      ? pass('live restore on', s.evidence)
      : fail('live restore off', s.evidence);
  }),
  cases,
};
