// BH-C-017: no mount uses shared propagation (CIS 1.6.0 5.19, 1.8.0 5.20).
import { checkContainers, ev, fail, pass } from '../../check.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { one } from '../../cases/container.js';
import { container } from '../../cases/facts.js';

const cases: readonly AuditCase[] = [
  one(
    'private passes',
    container(
      'web',
      {},
      { Mounts: [{ Type: 'bind', Source: '/srv', Destination: '/srv', Propagation: 'rprivate' }] },
    ),
    'pass',
  ),
  one(
    'rshared fails',
    container(
      'web',
      {},
      { Mounts: [{ Type: 'bind', Source: '/srv', Destination: '/srv', Propagation: 'rshared' }] },
    ),
    'fail',
    ['Mounts[0].Propagation=rshared'],
  ),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-C-017',
    aliases: ['CIS-1.6.0:5.19', 'CIS-1.8.0:5.20'],
    severity: 'medium',
    title: 'No mount uses shared propagation',
    rationale:
      'With shared (or rshared) propagation, mounts made inside the container appear on the host and the other way round.',
    remediation:
      'Use the default private propagation, or rslave/slave where mounts must flow into the container only.',
    references: ['https://docs.docker.com/storage/bind-mounts/#configure-bind-propagation'],
    docsUrl: 'docs/rules/audit.md#bh-c-017',
  },
  area: 'container',
  needs: 'engine',
  check: checkContainers((c) => {
    const shared = (c.Mounts ?? []).flatMap((m, i) =>
      m.Propagation === 'shared' || m.Propagation === 'rshared' ? [{ i, m }] : [],
    );
    if (shared.length > 0)
      return fail(
        `shared mount propagation: ${shared.map(({ m }) => m.Destination ?? '?').join(', ')}`,
        ...shared.map(({ i, m }) =>
          ev(`Mounts[${i}].Propagation`, m.Propagation ?? '', 'private, rprivate, slave or rslave'),
        ),
      );
    return pass(
      'no shared mount propagation',
      ev(
        'Mounts[].Propagation',
        (c.Mounts ?? []).map((m) => m.Propagation ?? ''),
      ),
    );
  }),
  cases,
};
