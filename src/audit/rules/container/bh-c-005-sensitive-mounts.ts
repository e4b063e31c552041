// BH-C-005: no sensitive host directory is bind-mounted, read-only included: matched by host source path, so
// a mount of / or /var (an ancestor of the data root) counts too (CIS 1.6.0 5.5, 1.8.0 5.6).
import { checkContainers, ev, fail, pass } from '../../check.js';
import { bindMounts, isSameOrAncestor } from '../../container-facts.js';
import { dataRoot } from '../../daemon-facts.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { one } from '../../cases/container.js';
import { container } from '../../cases/facts.js';

/** Host trees whose exposure (or an ancestor's) hands the container host secrets or control. */
export const SENSITIVE_TREES = [
  '/boot',
  '/dev',
  '/etc',
  '/lib',
  '/lib64',
  '/proc',
  '/sys',
  '/usr',
  '/bin',
  '/sbin',
  '/root',
  '/var/lib/containerd',
  '/run/containerd',
];
/** Paths inside those trees that are sensitive on their own (mounting /etc/localtime is fine, /etc/shadow is not). */
export const SENSITIVE_PATHS = [
  '/etc/shadow',
  '/etc/gshadow',
  '/etc/sudoers',
  '/etc/sudoers.d',
  '/etc/ssh',
  '/etc/docker',
  '/etc/kubernetes',
  '/etc/cron.d',
  '/etc/systemd',
  '/root/.ssh',
  '/proc/sys',
  '/proc/sysrq-trigger',
  '/proc/kcore',
  '/sys/kernel',
  '/sys/fs/cgroup',
  '/sys/firmware',
  '/dev/mem',
  '/dev/kmem',
  '/var/lib/kubelet',
];

const cases: readonly AuditCase[] = [
  one(
    'volume and /etc/localtime pass',
    container(
      'web',
      {},
      {
        Mounts: [
          { Type: 'bind', Source: '/etc/localtime', Destination: '/etc/localtime', RW: false },
          { Type: 'volume', Source: '/var/lib/docker/volumes/x/_data', Destination: '/data', RW: true },
        ],
      },
    ),
    'pass',
  ),
  one(
    '/etc mounted read-only fails',
    container('web', {}, { Mounts: [{ Type: 'bind', Source: '/etc', Destination: '/host-etc', RW: false }] }),
    'fail',
    ['Mounts[0].Source=/etc', 'Mounts[0].RW=false'],
  ),
  one(
    '/ fails',
    container('web', {}, { Mounts: [{ Type: 'bind', Source: '/', Destination: '/host', RW: true }] }),
    'fail',
    ['Mounts[0].Source=/'],
  ),
  one(
    '/var (holds the data root) fails',
    container('web', {}, { Mounts: [{ Type: 'bind', Source: '/var', Destination: '/v', RW: true }] }),
    'fail',
    ['Mounts[0].Source=/var'],
  ),
  one(
    '/etc/shadow fails',
    container('web', {}, { Mounts: [{ Type: 'bind', Source: '/etc/shadow', Destination: '/s', RW: false }] }),
    'fail',
  ),
  one(
    '/proc/sys fails',
    container('web', {}, { Mounts: [{ Type: 'bind', Source: '/proc/sys', Destination: '/p', RW: true }] }),
    'fail',
  ),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-C-005',
    aliases: ['CIS-1.6.0:5.5', 'CIS-1.8.0:5.6'],
    severity: 'high',
    title: 'No sensitive host directory is mounted',
    rationale:
      'A bind mount of /, /etc, /proc, /sys, /dev, /boot, /usr or the Docker data root hands the container host secrets (shadow, SSH host keys) or control (cron, systemd units, kernel tunables). Read-only mounts still leak secrets.',
    remediation: 'Mount only the specific files or directories the workload needs, never these host paths.',
    references: ['https://docs.docker.com/storage/bind-mounts/'],
    docsUrl: 'docs/rules/audit.md#bh-c-005',
  },
  area: 'container',
  needs: 'engine',
  check: checkContainers((c, ctx) => {
    const trees = [...SENSITIVE_TREES, dataRoot(ctx.facts)];
    const hits = bindMounts(c).filter(
      (m) =>
        trees.some((t) => isSameOrAncestor(m.source, t)) ||
        SENSITIVE_PATHS.some((p) => isSameOrAncestor(p, m.source)),
    );
    if (hits.length > 0)
      return fail(
        `sensitive host path mounted: ${hits.map((m) => `${m.source} -> ${m.destination}${m.rw ? '' : ' (read-only)'}`).join(', ')}`,
        ...hits.flatMap((m) => [
          ev(`Mounts[${m.index}].Source`, m.source, 'not a sensitive host path'),
          ev(`Mounts[${m.index}].RW`, m.rw),
        ]),
      );
    return pass(
      'no sensitive host path mounted',
      ev(
        'Mounts (bind sources)',
        bindMounts(c).map((m) => m.source),
      ),
    );
  }),
  cases,
};
