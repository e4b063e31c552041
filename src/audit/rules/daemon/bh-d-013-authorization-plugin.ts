// BH-D-013: an authorization plugin vets Docker API requests (CIS 1.6.0 2.12, 1.8.0 2.13).
import { checkDaemon, ev, fail, pass, skip } from '../../check.js';
import { stringList } from '../../daemon-facts.js';
import { daemonSetting } from '../../daemon-setting.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { hostCase, engineCase, info } from '../../cases/daemon.js';
import { engineFacts } from '../../cases/facts.js';

const cases: readonly AuditCase[] = [
  engineCase('no plugin fails', engineFacts(), 'fail'),
  engineCase('plugin passes', info({ Plugins: { Authorization: ['bulkhead'] } }), 'pass', [
    '/info Plugins.Authorization=["bulkhead"]',
  ]),
  hostCase('daemon.json plugin passes', {}, { 'authorization-plugins': ['bulkhead'] }, 'pass'),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-D-013',
    aliases: ['CIS-1.6.0:2.12', 'CIS-1.8.0:2.13'],
    severity: 'medium',
    title: 'An authorization plugin controls Docker API access',
    rationale:
      'Without an authorization plugin, everyone who can reach the socket may do everything, including running privileged containers.',
    remediation:
      'Run an authorization plugin (bulkhead authz) and set "authorization-plugins" in daemon.json.',
    references: ['https://docs.docker.com/engine/extend/plugins_authorization/'],
    docsUrl: 'docs/rules/audit.md#bh-d-013',
  },
  area: 'daemon',
  needs: 'both',
  check: checkDaemon((ctx) => {
    const engine = ctx.facts.engine;
    if (engine.state === 'known') {
      const plugins = engine.value.info.Plugins?.Authorization ?? [];
      return plugins.length > 0
        ? pass(`authorization plugins: ${plugins.join(', ')}`, ev('/info Plugins.Authorization', plugins))
        : fail('no authorization plugin', ev('/info Plugins.Authorization', plugins, 'at least one plugin'));
    }
    const s = daemonSetting(ctx.facts.host, 'authorization-plugin', 'at least one plugin');
    if (s.state === 'unknown') return skip(s.reason);
    return s.state === 'set' && stringList(s.setting.value).length > 0
      ? pass('authorization plugin configured', s.evidence)
      : fail('no authorization plugin', s.evidence);
  }),
  cases,
};
