// BH-H-021: nothing listens on every interface of the host except what a container host needs (no CIS item;
// NIST SP 800-190 §4.5.2 "minimise host attack surface").
import { known, type Listener, unknown } from '../../../facts/index.js';
import { checkHost, ev, fail, pass } from '../../check.js';
import { onHardening } from '../../hardening.js';
import type { AuditCase, AuditRule, ListenerAllow } from '../../rule.js';
import { listener, on } from '../../cases/hardening.js';

/** What a container host needs to listen for: the runtime, remote administration, DHCP and the node's agents. */
export const DEFAULT_ALLOWED_LISTENERS: readonly ListenerAllow[] = [
  { process: 'dockerd', reason: "the Docker daemon's own TCP listener (judged by BH-D-008)" },
  { process: 'docker-proxy', reason: 'published container ports (judged per container by BH-C-012)' },
  { process: 'containerd', reason: 'the container runtime' },
  { process: 'sshd', reason: 'remote administration (judged by BH-H-026..029)' },
  { process: 'kubelet', reason: 'the Kubernetes node agent' },
  { process: 'kube-proxy', reason: 'the Kubernetes service proxy' },
  { process: 'dhclient', port: 68, reason: 'DHCP client' },
  { process: 'dhcpcd', port: 68, reason: 'DHCP client' },
  { process: 'systemd-network', port: 68, reason: 'DHCP client (systemd-networkd)' },
];

function allowedBy(listener: Listener, allow: readonly ListenerAllow[]): ListenerAllow | undefined {
  return allow.find(
    (a) =>
      (a.port === undefined || a.port === listener.port) &&
      (a.process === undefined ||
        listener.processes.some((p) => p.comm === a.process || p.exe === a.process)),
  );
}

function describe(l: Listener): string {
  const who =
    l.processes.length === 0 ? 'no process found' : l.processes.map((p) => `${p.comm}[${p.pid}]`).join(',');
  return `${l.protocol} ${l.address.includes(':') ? `[${l.address}]` : l.address}:${l.port} by ${who}`;
}

const cases: readonly AuditCase[] = [
  on('sshd on 0.0.0.0 and mail on loopback pass', {}, 'pass'),
  on(
    'redis on 0.0.0.0 fails',
    { listeners: known([listener('0.0.0.0', 6379, 'redis-server')], '/proc/net/tcp') },
    'fail',
    ['0.0.0.0:6379 by redis-server'],
  ),
  on(
    'rpcbind on :: fails',
    { listeners: known([listener('::', 111, 'rpcbind', 'tcp6')], '/proc/net/tcp6') },
    'fail',
    ['[::]:111 by rpcbind'],
  ),
  on(
    'dhclient on udp 68 passes',
    { listeners: known([listener('0.0.0.0', 68, 'dhclient', 'udp')], '/proc/net/udp') },
    'pass',
  ),
  on('no /proc/net skips', { listeners: unknown('no /proc/net/{tcp,tcp6,udp,udp6} under the root') }, 'skip'),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-H-021',
    aliases: [],
    severity: 'medium',
    title: 'Only the services a container host needs listen on all interfaces',
    rationale:
      "A service listening on 0.0.0.0 or :: is reachable from the network and, through the host's addresses, from every container: one exposed daemon is a way around every container wall.",
    remediation:
      'Stop or remove the service, bind it to 127.0.0.1, or add it to the audit config under hostListeners.allow with the reason it must listen.',
    references: ['https://man7.org/linux/man-pages/man5/proc_net.5.html'],
    docsUrl: 'docs/rules/audit.md#bh-h-021',
  },
  area: 'host',
  needs: 'host',
  check: checkHost(
    onHardening('listeners', (listeners, source, _h, ctx) => {
      const allow = [...DEFAULT_ALLOWED_LISTENERS, ...ctx.settings.allowedListeners];
      const wildcard = listeners.filter((l) => l.wildcard);
      const unexpected = wildcard.filter((l) => allowedBy(l, allow) === undefined);
      if (unexpected.length === 0)
        return pass(
          `${wildcard.length} wildcard listener(s), all expected`,
          ...wildcard.map((l) => ev(l.table, describe(l))),
        );
      return fail(
        `${unexpected.length} unexpected listener(s) on all interfaces: ${unexpected.map(describe).join('; ')}`,
        ...unexpected.map((l) =>
          ev(`${l.table} inode ${l.inode}`, describe(l), 'bound to 127.0.0.1 or allowed'),
        ),
        ev(source, `${listeners.length} listening sockets`),
      );
    }),
  ),
  cases,
};
