// BH-D-003: the daemon logs at level info (CIS 1.6.0 2.3, 1.8.0 2.3).
import { checkDaemon, fail, pass, skip } from '../../check.js';
import { daemonSetting } from '../../daemon-setting.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { daemon, hostCase } from '../../cases/daemon.js';
import { unknown } from '../../../facts/index.js';
import { buildFacts, daemonHost } from '../../cases/facts.js';

const cases: readonly AuditCase[] = [
  {
    name: 'unknown dockerd skips even when the default daemon.json sets it',
    facts: buildFacts({
      host: {
        ...daemonHost({}, { 'log-level': 'debug' }),
        dockerd: unknown('2 dockerd processes, none matched'),
      },
      engine: null,
    }),
    expect: daemon('skip', undefined, 'may not be the file it reads'),
  },
  hostCase('default passes', {}, {}, 'pass'),
  hostCase('--log-level=debug fails', { 'log-level': ['debug'] }, undefined, 'fail', ['--log-level=debug']),
  hostCase('"log-level": "info" passes', {}, { 'log-level': 'info' }, 'pass'),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-D-003',
    aliases: ['CIS-1.6.0:2.3', 'CIS-1.8.0:2.3'],
    severity: 'low',
    title: "Daemon log level is 'info'",
    rationale:
      "'info' records the events an investigation needs; 'debug' floods the logs with request bodies and warn/error drop the audit trail.",
    remediation: 'Remove --log-level / "log-level", or set it to info.',
    references: ['https://docs.docker.com/reference/cli/dockerd/'],
    docsUrl: 'docs/rules/audit.md#bh-d-003',
  },
  area: 'daemon',
  needs: 'host',
  check: checkDaemon((ctx) => {
    const level = daemonSetting(ctx.facts.host, 'log-level', 'info');
    if (level.state === 'unknown') return skip(level.reason);
    if (level.state === 'default' || level.setting.value === 'info')
      return pass('log level info', level.evidence);
    return fail(`log level ${String(level.setting.value)}`, level.evidence);
  }),
  cases,
};
