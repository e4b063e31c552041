// BH-C-026: no Docker or containerd API socket is reachable through a bind mount, matched by the host source
// path of the sockets the daemon really uses, under any name, and by mounts of a directory holding one
// (CIS 1.6.0 5.31, 1.8.0 5.32; docker-bench-security greps for "docker.sock" and misses both).
import { checkContainers, ev, fail, pass } from '../../check.js';
import { bindMounts, isSameOrAncestor } from '../../container-facts.js';
import { apiSocketPaths } from '../../daemon-facts.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { one } from '../../cases/container.js';
import { container, daemonHost } from '../../cases/facts.js';

const cases: readonly AuditCase[] = [
  one('no mounts pass', container('web'), 'pass'),
  one(
    '/var/run/docker.sock fails',
    container(
      'web',
      {},
      {
        Mounts: [
          { Type: 'bind', Source: '/var/run/docker.sock', Destination: '/var/run/docker.sock', RW: true },
        ],
      },
    ),
    'fail',
    ['Mounts[0].Source=/var/run/docker.sock'],
  ),
  one(
    'daemon socket under another name fails',
    container(
      'web',
      {},
      { Mounts: [{ Type: 'bind', Source: '/srv/api/engine.sock', Destination: '/tmp/x.sock', RW: true }] },
    ),
    'fail',
    ['Mounts[0].Source=/srv/api/engine.sock', 'Mounts[0].Destination=/tmp/x.sock'],
    { host: daemonHost({ host: ['unix:///srv/api/engine.sock'] }) },
  ),
  one(
    '/run (holds the socket) fails',
    container('web', {}, { Mounts: [{ Type: 'bind', Source: '/run', Destination: '/hostrun', RW: false }] }),
    'fail',
    ['Mounts[0].Source=/run'],
  ),
  one(
    'containerd socket fails',
    container(
      'web',
      {},
      {
        Mounts: [
          { Type: 'bind', Source: '/run/containerd/containerd.sock', Destination: '/c.sock', RW: true },
        ],
      },
    ),
    'fail',
  ),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-C-026',
    aliases: ['CIS-1.6.0:5.31', 'CIS-1.8.0:5.32'],
    severity: 'critical',
    title: 'Docker socket is not mounted into the container',
    rationale:
      'Whoever can write to the Docker API socket can start a privileged container with / mounted: the socket is root on the host.',
    remediation:
      'Remove the mount; if a tool must talk to Docker, put an authorizing proxy (bulkhead authz) in front of a dedicated socket.',
    references: ['https://docs.docker.com/engine/security/#docker-daemon-attack-surface'],
    docsUrl: 'docs/rules/audit.md#bh-c-026',
  },
  area: 'container',
  needs: 'engine',
  check: checkContainers((c, ctx) => {
    const sockets = apiSocketPaths(ctx.facts);
    const hits = bindMounts(c).flatMap((m) => {
      const socket = sockets.find((s) => isSameOrAncestor(m.source, s));
      return socket === undefined ? [] : [{ ...m, socket }];
    });
    if (hits.length > 0)
      return fail(
        hits
          .map((h) =>
            h.source === h.socket
              ? `API socket ${h.socket} mounted at ${h.destination}`
              : `${h.source} (holds API socket ${h.socket}) mounted at ${h.destination}`,
          )
          .join(', '),
        ...hits.flatMap((h) => [
          ev(`Mounts[${h.index}].Source`, h.source, `not ${h.socket} or a parent directory`),
          ev(`Mounts[${h.index}].Destination`, h.destination),
        ]),
      );
    return pass('no API socket mounted', ev('API sockets', sockets));
  }),
  cases,
};
