// BH-C-013: the restart policy is bounded: not always/unless-stopped, on-failure with at most 5 retries
// (CIS 1.6.0 5.14, 1.8.0 5.15).
import { checkContainers, ev, fail, pass } from '../../check.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { one } from '../../cases/container.js';
import { container } from '../../cases/facts.js';

const cases: readonly AuditCase[] = [
  one('no policy passes', container('web'), 'pass'),
  one('always fails', container('web', { RestartPolicy: { Name: 'always', MaximumRetryCount: 0 } }), 'fail', [
    'HostConfig.RestartPolicy.Name=always',
  ]),
  one(
    'unless-stopped fails',
    container('web', { RestartPolicy: { Name: 'unless-stopped', MaximumRetryCount: 0 } }),
    'fail',
  ),
  one(
    'on-failure:5 passes',
    container('web', { RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 5 } }),
    'pass',
  ),
  one(
    'on-failure:10 fails',
    container('web', { RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 10 } }),
    'fail',
    ['MaximumRetryCount=10'],
  ),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-C-013',
    aliases: ['CIS-1.6.0:5.14', 'CIS-1.8.0:5.15'],
    severity: 'low',
    title: 'Restart policy is bounded (on-failure, at most 5 retries)',
    rationale:
      'always and unless-stopped restart a crashing or compromised container forever, turning a crash loop into a denial of service and hiding repeated exploitation attempts.',
    remediation: 'Use --restart on-failure:5 (or no restart policy).',
    references: ['https://docs.docker.com/config/containers/start-containers-automatically/'],
    docsUrl: 'docs/rules/audit.md#bh-c-013',
  },
  area: 'container',
  needs: 'engine',
  check: checkContainers((c) => {
    const name = c.HostConfig?.RestartPolicy?.Name ?? '';
    const retries = c.HostConfig?.RestartPolicy?.MaximumRetryCount ?? 0;
    const evidence = ev('HostConfig.RestartPolicy.Name', name === '' ? '(empty)' : name, 'on-failure or no');
    if (name === 'always' || name === 'unless-stopped')
      return fail(`restart policy ${name} restarts without bound`, evidence);
    if (name === 'on-failure' && (retries === 0 || retries > 5))
      return fail(
        `on-failure with ${retries === 0 ? 'unlimited' : String(retries)} retries`,
        evidence,
        ev('HostConfig.RestartPolicy.MaximumRetryCount', String(retries), '1-5'),
      );
    return pass(name === 'on-failure' ? `on-failure:${retries}` : 'no automatic restart', evidence);
  }),
  cases,
};
