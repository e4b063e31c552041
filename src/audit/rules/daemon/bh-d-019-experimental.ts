// BH-D-019: experimental features are off (CIS 1.6.0 2.18, 1.8.0 2.19).
import { checkDaemon, ev, fail, pass, skip } from '../../check.js';
import { asBoolean, daemonSetting } from '../../daemon-setting.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { engineCase } from '../../cases/daemon.js';
import { engineFacts } from '../../cases/facts.js';

const cases: readonly AuditCase[] = [
  engineCase('off passes', engineFacts(), 'pass'),
  engineCase(
    'on fails',
    { ...engineFacts(), version: { ...engineFacts().version, Experimental: true } },
    'fail',
  ),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-D-019',
    aliases: ['CIS-1.6.0:2.18', 'CIS-1.8.0:2.19'],
    severity: 'low',
    title: 'Experimental features are disabled',
    rationale:
      'Experimental features have not had the review stable ones get and may change or weaken isolation.',
    remediation: 'Remove --experimental / "experimental": true.',
    references: ['https://docs.docker.com/reference/cli/dockerd/'],
    docsUrl: 'docs/rules/audit.md#bh-d-019',
  },
  area: 'daemon',
  needs: 'both',
  check: checkDaemon((ctx) => {
    const engine = ctx.facts.engine;
    if (engine.state === 'known') {
      const on = engine.value.version.Experimental === true || engine.value.info.ExperimentalBuild === true;
      const evidence = ev('/version Experimental', on, 'false');
      return on ? fail('experimental features on', evidence) : pass('experimental features off', evidence);
    }
    const s = daemonSetting(ctx.facts.host, 'experimental', 'false');
    if (s.state === 'unknown') return skip(s.reason);
    return s.state === 'set' && asBoolean(s.setting.value) === true
      ? fail('experimental features on', s.evidence)
      : pass('experimental features off', s.evidence);
  }),
  cases,
};
