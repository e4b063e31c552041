// BH-N-004: a container connects to the Docker API — on TCP (2375/2376 on a host address) or over a unix socket of
// the engine itself (a bind-mounted docker.sock, containerd's socket: sock_diag in its namespace, src/net/unix.ts) —
// or to another host management port (SSH, swarm, kubelet, the daemon's metrics): the first step of most escapes.
// A container whose bind mounts expose an engine socket is named once before it connects; the static finding for
// that mount is audit's BH-C-026, which the message links instead of repeating it.
import { A, B, CONTAINERD_SOCKET, DOCKER_SOCKET, LEARNED, NETWORKS, addr, edge, ep } from './fixtures.js';
import { daemonLabel } from '../unix.js';
import { docsUrl, type NetAlert, type NetRule, type NetRuleCase, type NetRuleContext } from './context.js';

/** Ports whose owner can run code on the host (Docker API plain/TLS, swarm, kubelet, SSH) or reads its state. */
export const MANAGEMENT_PORTS: Readonly<Record<number, string>> = {
  22: 'SSH',
  2375: 'Docker API (plain TCP)',
  2376: 'Docker API (TLS)',
  2377: 'Docker swarm management',
  4243: 'Docker API (legacy port)',
  9323: 'dockerd metrics',
  10250: 'kubelet API',
};

const cases: readonly NetRuleCase[] = [
  {
    name: 'docker API on the gateway',
    input: {
      kind: 'edge',
      container: B,
      role: 'outbound',
      edge: edge(ep(B), addr('172.17.0.1', 'bridge'), 2375),
      section: LEARNED,
      networks: NETWORKS,
    },
    expect: 'Docker API (plain TCP)',
  },
  {
    name: 'kubelet anywhere off-container',
    input: {
      kind: 'edge',
      container: B,
      role: 'outbound',
      edge: edge(ep(B), addr('10.0.0.1'), 10250),
      section: undefined,
      networks: NETWORKS,
    },
    expect: 'kubelet API',
  },
  {
    name: 'ssh to another container is lateral movement, not this rule',
    input: {
      kind: 'edge',
      container: B,
      role: 'outbound',
      edge: edge(ep(B), ep(A), 22),
      section: LEARNED,
      networks: NETWORKS,
    },
    expect: null,
  },
  {
    name: 'https out',
    input: {
      kind: 'edge',
      container: B,
      role: 'outbound',
      edge: edge(ep(B), addr('192.0.2.9'), 443),
      section: LEARNED,
      networks: NETWORKS,
    },
    expect: null,
  },
  {
    name: 'a process connected to dockerd over the bind-mounted socket',
    input: {
      kind: 'unix-connect',
      container: B,
      connection: { socket: DOCKER_SOCKET, pid: 4242, exe: '/usr/bin/docker', via: '/var/run/docker.sock' },
    },
    expect:
      "net-b: pid 4242 (/usr/bin/docker) is connected to dockerd's API socket /run/docker.sock (bind-mounted at /var/run/docker.sock)",
  },
  {
    name: 'to containerd, through no bind mount of its own (e.g. a mount of /)',
    input: {
      kind: 'unix-connect',
      container: B,
      connection: { socket: CONTAINERD_SOCKET, pid: 7, exe: '/ctr', via: undefined },
    },
    expect: "containerd's API socket /run/containerd/containerd.sock over a unix socket",
  },
  {
    name: 'client gone before its socket was read (or held by a process outside the container)',
    input: {
      kind: 'unix-connect',
      container: A,
      connection: { socket: DOCKER_SOCKET, pid: undefined, exe: undefined, via: undefined },
    },
    expect: "net-a: a process bulkhead cannot name (gone before the poll, or not one of the container's)",
  },
  {
    name: 'the socket mounted, not yet used',
    input: {
      kind: 'socket-mount',
      container: B,
      mount: {
        socket: DOCKER_SOCKET,
        source: '/var/run/docker.sock',
        destination: '/var/run/docker.sock',
        inside: '/var/run/docker.sock',
      },
    },
    expect:
      "net-b has dockerd's API socket /run/docker.sock bind-mounted at /var/run/docker.sock (audit BH-C-026)",
  },
  {
    name: 'a directory holding the socket mounted',
    input: {
      kind: 'socket-mount',
      container: B,
      mount: {
        socket: DOCKER_SOCKET,
        source: '/run',
        destination: '/hostrun',
        inside: '/hostrun/docker.sock',
      },
    },
    expect: 'reachable at /hostrun/docker.sock through its bind mount of /run',
  },
  {
    name: 'a listener: BH-N-001, not this rule',
    input: {
      kind: 'listen',
      container: A,
      listen: { container: A.id, containerName: A.name, proto: 'tcp', addr: '0.0.0.0', port: 2375 },
      section: undefined,
      networks: NETWORKS,
    },
    expect: null,
  },
];

function tcpAlert(ctx: NetRuleContext & { kind: 'edge' }): NetAlert | undefined {
  if (ctx.role !== 'outbound' || ctx.edge.server.kind !== 'address') return undefined;
  const what = MANAGEMENT_PORTS[ctx.edge.port];
  if (what === undefined) return undefined;
  return {
    message: `${ctx.container.name} connects to ${what} at ${ctx.edge.server.addr}:${ctx.edge.port}/${ctx.edge.proto}`,
  };
}

export const rule: NetRule = {
  meta: {
    id: 'BH-N-004',
    aliases: ['Contact K8S API Server From Container'],
    severity: 'critical',
    title: 'Container connects to the Docker API (TCP or its unix socket) or a host management port',
    rationale:
      'Whoever reaches the Docker API owns the host (docker run --privileged -v /:/host), over TCP or over a bind-mounted docker.sock alike; SSH, swarm and kubelet ports are the same class.',
    remediation:
      'Remove the engine socket from the container (audit BH-C-026) or put an authorizing proxy (bulkhead authz) in front of a dedicated socket; never expose dockerd on TCP to containers; bind management services to interfaces containers cannot reach, and block them in deny mode.',
    references: [
      'https://docs.docker.com/engine/security/#docker-daemon-attack-surface',
      'https://attack.mitre.org/techniques/T1611/',
      'https://man7.org/linux/man-pages/man7/sock_diag.7.html',
      'docs/rules/audit.md#bh-c-026',
    ],
    docsUrl: docsUrl('BH-N-004'),
  },
  check: (ctx: NetRuleContext) => {
    switch (ctx.kind) {
      case 'edge':
        return tcpAlert(ctx);
      case 'unix-connect': {
        const { connection: c } = ctx;
        const who =
          c.pid === undefined
            ? "a process bulkhead cannot name (gone before the poll, or not one of the container's)"
            : `pid ${c.pid} (${c.exe ?? 'executable unreadable'})`;
        const via = c.via === undefined ? ' over a unix socket' : ` (bind-mounted at ${c.via})`;
        return { message: `${ctx.container.name}: ${who} is connected to ${daemonLabel(c.socket)}${via}` };
      }
      case 'socket-mount': {
        const { mount: m } = ctx;
        const where =
          m.inside === m.destination
            ? `bind-mounted at ${m.destination}`
            : `reachable at ${m.inside} through its bind mount of ${m.source}`;
        return {
          message: `${ctx.container.name} has ${daemonLabel(m.socket)} ${where} (audit BH-C-026); not connected yet, each process that connects is alerted`,
        };
      }
      case 'listen':
        return undefined;
      default:
        return ctx satisfies never;
    }
  },
  cases,
};
