// BH-C-011: the container's root filesystem is read-only (CIS 1.6.0 5.12, 1.8.0 5.13).
import { checkContainers, ev, fail, pass } from '../../check.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { one } from '../../cases/container.js';
import { container } from '../../cases/facts.js';

const cases: readonly AuditCase[] = [
  one('writable fails', container('web'), 'fail', ['HostConfig.ReadonlyRootfs=false']),
  one('read-only passes', container('web', { ReadonlyRootfs: true }), 'pass'),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-C-011',
    aliases: ['CIS-1.6.0:5.12', 'CIS-1.8.0:5.13'],
    severity: 'medium',
    title: 'Container root filesystem is read-only',
    rationale:
      'A writable root filesystem lets an intruder drop tools and persist changes to binaries and configuration.',
    remediation: 'Start with --read-only and give writable paths explicitly with --tmpfs or volumes.',
    references: ['https://docs.docker.com/engine/reference/run/#security-configuration'],
    docsUrl: 'docs/rules/audit.md#bh-c-011',
  },
  area: 'container',
  needs: 'engine',
  check: checkContainers((c) =>
    c.HostConfig?.ReadonlyRootfs === true
      ? pass('root filesystem is read-only', ev('HostConfig.ReadonlyRootfs', true))
      : fail('root filesystem is writable', ev('HostConfig.ReadonlyRootfs', false, 'true')),
  ),
  cases,
};
