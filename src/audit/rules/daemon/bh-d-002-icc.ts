// BH-D-002: inter-container traffic on the default bridge is off (CIS 1.6.0 2.2, 1.8.0 2.2).
import { checkDaemon, ev, fail, notApplicable, pass, skip } from '../../check.js';
import { asBoolean, daemonSetting } from '../../daemon-setting.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { daemon, hostCase, engineCase, unknownFlags } from '../../cases/daemon.js';
import { buildFacts, engineFacts } from '../../cases/facts.js';

const cases: readonly AuditCase[] = [
  engineCase(
    'bridge with icc on fails',
    {
      ...engineFacts(),
      networks: [
        {
          Name: 'bridge',
          Id: 'b',
          Driver: 'bridge',
          Options: { 'com.docker.network.bridge.enable_icc': 'true' },
        },
      ],
    },
    'fail',
    ['enable_icc"]=true'],
  ),
  engineCase(
    'bridge with icc off passes',
    {
      ...engineFacts(),
      networks: [
        {
          Name: 'bridge',
          Id: 'b',
          Driver: 'bridge',
          Options: { 'com.docker.network.bridge.enable_icc': 'false' },
        },
      ],
    },
    'pass',
  ),
  engineCase(
    'no default bridge is not applicable',
    { ...engineFacts(), networks: [{ Name: 'none', Id: 'n', Driver: 'null' }] },
    'not-applicable',
  ),
  hostCase('--icc=false passes', { icc: ['false'] }, undefined, 'pass', ['--icc=false']),
  hostCase('"icc": false passes', {}, { icc: false }, 'pass', ['"icc": false']),
  hostCase('default fails', {}, {}, 'fail', ['--icc not set']),
  hostCase('"bridge": "none" is not applicable', {}, { bridge: 'none' }, 'not-applicable'),
  {
    name: 'unknown flags skip',
    facts: buildFacts({ host: unknownFlags, engine: null }),
    expect: daemon('skip', undefined, 'dockerd command line unknown'),
  },
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-D-002',
    aliases: ['CIS-1.6.0:2.2', 'CIS-1.8.0:2.2'],
    severity: 'medium',
    title: 'Traffic between containers on the default bridge is restricted (icc=false)',
    rationale:
      'With icc on (the default) every container on docker0 can reach every port of every other one.',
    remediation:
      'Set "icc": false in daemon.json (or --icc=false) and link containers through user-defined networks.',
    references: ['https://docs.docker.com/network/drivers/bridge/'],
    docsUrl: 'docs/rules/audit.md#bh-d-002',
  },
  area: 'daemon',
  needs: 'both',
  check: checkDaemon((ctx) => {
    const engine = ctx.facts.engine;
    if (engine.state === 'known') {
      // the default bridge network's driver options say what dockerd applied (GET /networks)
      const bridgeNet = engine.value.networks.find(
        (n) => n.Name === 'bridge' && (n.Driver ?? 'bridge') === 'bridge',
      );
      if (bridgeNet === undefined)
        return notApplicable(
          'the default bridge is disabled (no "bridge" network)',
          ev(
            'GET /networks',
            engine.value.networks.map((n) => n.Name),
          ),
        );
      const icc = bridgeNet.Options?.['com.docker.network.bridge.enable_icc'] ?? 'true';
      const evidence = ev(
        'GET /networks bridge Options["com.docker.network.bridge.enable_icc"]',
        icc,
        'false',
      );
      return icc === 'false'
        ? pass('icc is off', evidence)
        : fail('containers on the default bridge can talk to each other (icc on)', evidence);
    }
    const bridge = daemonSetting(ctx.facts.host, 'bridge');
    if (bridge.state === 'set' && bridge.setting.value === 'none')
      return notApplicable('the default bridge is disabled (bridge: none)', bridge.evidence);
    const icc = daemonSetting(ctx.facts.host, 'icc', 'false');
    if (icc.state === 'unknown') return skip(icc.reason);
    if (icc.state === 'set' && asBoolean(icc.setting.value) === false)
      return pass('icc is off', icc.evidence);
    return fail('containers on the default bridge can talk to each other (icc on)', icc.evidence);
  }),
  cases,
};
