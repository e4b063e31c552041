// BH-H-022: services a container host does not need are neither enabled nor running (no CIS item; CIS Docker
// Benchmark 1.2 "harden the container host"; CIS distribution benchmarks section 2 "Services").
import { type HostProcess, known, type Unit, unknown } from '../../../facts/index.js';
import { checkHost, ev, fail, pass } from '../../check.js';
import { onHardening } from '../../hardening.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { listener, on } from '../../cases/hardening.js';

/** Services a container host does not need: their unit name stems, their process names (comm), what they are. */
export const UNNEEDED_SERVICES: readonly { units: string[]; processes: string[]; what: string }[] = [
  { units: ['cups'], processes: ['cupsd'], what: 'printing' },
  { units: ['cups-browsed'], processes: ['cups-browsed'], what: 'printer discovery' },
  { units: ['avahi-daemon'], processes: ['avahi-daemon'], what: 'mDNS/DNS-SD discovery' },
  { units: ['bluetooth'], processes: ['bluetoothd'], what: 'Bluetooth' },
  { units: ['rpcbind'], processes: ['rpcbind'], what: 'ONC RPC portmapper' },
  { units: ['nfs-server', 'nfs-kernel-server'], processes: ['rpc.mountd'], what: 'NFS server' },
  { units: ['smbd', 'nmbd'], processes: ['smbd', 'nmbd'], what: 'SMB file sharing' },
  { units: ['vsftpd'], processes: ['vsftpd'], what: 'FTP server' },
  { units: ['xinetd', 'inetd', 'openbsd-inetd'], processes: ['xinetd', 'inetd'], what: 'inetd super-server' },
  { units: ['snmpd'], processes: ['snmpd'], what: 'SNMP agent' },
  {
    units: ['gdm', 'gdm3', 'lightdm', 'sddm', 'xdm', 'lxdm', 'display-manager'],
    processes: ['gdm', 'gdm3', 'lightdm', 'sddm', 'xdm', 'Xorg', 'Xwayland'],
    what: 'graphical display (X11/display manager)',
  },
];

/** Mail transfer agents: fine on loopback (local mail), a finding when they accept mail from the network. */
const MAIL_PROCESSES = new Set(['master', 'exim4', 'exim', 'sendmail', 'smtpd', 'opensmtpd']);

function unitStem(unit: Unit): string {
  return unit.name.replace(/@?\.(service|socket)$/, '');
}

const cases: readonly AuditCase[] = [
  on('only sshd and timesyncd pass', {}, 'pass'),
  on(
    'cups enabled fails',
    {
      units: known(
        [
          {
            name: 'cups.service',
            enabled: true,
            source: '/etc/systemd/system/multi-user.target.wants/cups.service',
          },
        ],
        '/etc/systemd/system',
      ),
    },
    'fail',
    ['cups.service enabled'],
  ),
  on('avahi running fails', { processes: known([{ pid: 400, comm: 'avahi-daemon' }], '/proc') }, 'fail', [
    'avahi-daemon running',
  ]),
  on(
    'postfix on 0.0.0.0:25 fails',
    { listeners: known([listener('0.0.0.0', 25, 'master')], '/proc/net/tcp') },
    'fail',
    ['master listens on 0.0.0.0:25'],
  ),
  on('not a systemd host skips', { units: unknown('no systemd unit directories') }, 'skip'),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-H-022',
    aliases: [],
    severity: 'medium',
    title: 'Services a container host does not need are not enabled or running',
    rationale:
      'Printing, discovery, file sharing, display managers and mail servers listening on the network run as root with their own CVE history; on a container host they serve nothing and widen what an attacker who reaches the host can use.',
    remediation:
      'Disable and remove them (systemctl disable --now NAME; apt/dnf remove), or mask the unit (systemctl mask NAME). A mail server should listen on loopback only (Postfix inet_interfaces = loopback-only).',
    references: ['https://www.cisecurity.org/benchmark/docker'],
    docsUrl: 'docs/rules/audit.md#bh-h-022',
  },
  area: 'host',
  needs: 'host',
  check: checkHost(
    onHardening('units', (units, source, hardening) => {
      const processes: readonly HostProcess[] =
        hardening.processes.state === 'known' ? hardening.processes.value : [];
      const listeners = hardening.listeners.state === 'known' ? hardening.listeners.value : [];
      const evidence = [];
      const names: string[] = [];
      for (const service of UNNEEDED_SERVICES) {
        const enabled = units.filter((u) => u.enabled && service.units.includes(unitStem(u)));
        const running = processes.filter((p) => service.processes.includes(p.comm));
        if (enabled.length === 0 && running.length === 0) continue;
        names.push(enabled[0]?.name ?? running[0]?.comm ?? service.what);
        evidence.push(
          ...enabled.map((u) => ev(u.source, `${u.name} enabled (${service.what})`, 'disabled or masked')),
          ...running.map((p) =>
            ev(`/proc/${p.pid}/comm`, `${p.comm} running (${service.what})`, 'not running'),
          ),
        );
      }
      for (const l of listeners.filter(
        (x) => !x.loopback && x.processes.some((p) => MAIL_PROCESSES.has(p.comm)),
      )) {
        names.push(`mail server on ${l.address}:${l.port}`);
        evidence.push(
          ev(
            l.table,
            `${l.processes.map((p) => p.comm).join(',')} listens on ${l.address}:${l.port}`,
            'loopback only',
          ),
        );
      }
      if (names.length === 0)
        return pass('no unneeded service is enabled or running', ev(source, `${units.length} enabled units`));
      return fail(`unneeded services on the container host: ${names.join(', ')}`, ...evidence);
    }),
  ),
  cases,
};
