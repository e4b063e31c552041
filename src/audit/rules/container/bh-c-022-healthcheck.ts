// BH-C-022: the container has a health check (CIS 1.6.0 5.26, 1.8.0 5.27).
import { checkContainers, ev, fail, pass } from '../../check.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { one } from '../../cases/container.js';
import { container, hardenedContainer } from '../../cases/facts.js';

const cases: readonly AuditCase[] = [
  one('no healthcheck fails', container('web'), 'fail'),
  one('NONE fails', container('web', {}, { Config: { Healthcheck: { Test: ['NONE'] } } }), 'fail'),
  one('healthcheck passes', hardenedContainer('web'), 'pass', ['Config.Healthcheck.Test=["CMD","true"]']),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-C-022',
    aliases: ['CIS-1.6.0:5.26', 'CIS-1.8.0:5.27'],
    severity: 'low',
    title: 'Container has a health check',
    rationale:
      'A health check lets the engine and orchestrators notice a hung or subverted service instead of trusting that the process exists.',
    remediation: 'Add HEALTHCHECK to the image or start with --health-cmd.',
    references: ['https://docs.docker.com/engine/reference/builder/#healthcheck'],
    docsUrl: 'docs/rules/audit.md#bh-c-022',
  },
  area: 'container',
  needs: 'engine',
  check: checkContainers((c) => {
    const test = c.Config?.Healthcheck?.Test ?? [];
    if (test.length === 0 || test[0] === 'NONE')
      return fail('no health check', ev('Config.Healthcheck.Test', test, 'a command'));
    return pass(`health ${c.State?.Health?.Status ?? 'unknown'}`, ev('Config.Healthcheck.Test', test));
  }),
  cases,
};
