// BH-D-014: container logs go to a central or remote log driver (CIS 1.6.0 2.13, 1.8.0 2.14).
import { checkDaemon, ev, fail, pass, skip } from '../../check.js';
import { daemonSetting } from '../../daemon-setting.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { engineCase, info } from '../../cases/daemon.js';
import { engineFacts } from '../../cases/facts.js';

const LOCAL_DRIVERS = new Set(['json-file', 'local', 'none', '']);

const cases: readonly AuditCase[] = [
  engineCase('json-file fails', engineFacts(), 'fail', ['/info LoggingDriver=json-file']),
  engineCase('syslog passes', info({ LoggingDriver: 'syslog' }), 'pass'),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-D-014',
    aliases: ['CIS-1.6.0:2.13', 'CIS-1.8.0:2.14'],
    severity: 'low',
    title: 'Centralized and remote logging is configured',
    rationale:
      'Logs kept only in json-file on the host are lost with the host and can be wiped by whoever compromises it.',
    remediation: 'Set "log-driver" to syslog, journald (forwarded), fluentd, gelf or a cloud driver.',
    references: ['https://docs.docker.com/config/containers/logging/configure/'],
    docsUrl: 'docs/rules/audit.md#bh-d-014',
  },
  area: 'daemon',
  needs: 'both',
  check: checkDaemon((ctx) => {
    const engine = ctx.facts.engine;
    if (engine.state === 'known') {
      const driver = engine.value.info.LoggingDriver ?? '';
      const evidence = ev('/info LoggingDriver', driver, 'a central or remote driver');
      return LOCAL_DRIVERS.has(driver)
        ? fail(`log driver ${driver} keeps logs on the host only`, evidence)
        : pass(`log driver ${driver}`, evidence);
    }
    const s = daemonSetting(ctx.facts.host, 'log-driver', 'a central or remote driver');
    if (s.state === 'unknown') return skip(s.reason);
    const driver = s.state === 'set' && typeof s.setting.value === 'string' ? s.setting.value : 'json-file';
    return LOCAL_DRIVERS.has(driver)
      ? fail(`log driver ${driver} keeps logs on the host only`, s.evidence)
      : pass(`log driver ${driver}`, s.evidence);
  }),
  cases,
};
