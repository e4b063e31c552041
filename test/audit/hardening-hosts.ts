// Fixture host trees for the host-hardening rules (issue 16): Debian 12, Ubuntu 24.04, Rocky 9, Flatcar and
// Bottlerocket, each as a weak tree with planted weaknesses and a hardened twin, written to a temp dir (the /proc
// fd links, unit symlinks and stamp times git cannot keep). Each weak host lists what the rules must find.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export type Distro = 'debian' | 'ubuntu' | 'rocky' | 'flatcar' | 'bottlerocket';
export const DISTROS: readonly Distro[] = ['debian', 'ubuntu', 'rocky', 'flatcar', 'bottlerocket'];

interface Proc {
  readonly pid: number;
  readonly comm: string;
  readonly exe?: string;
  /** Listening sockets this process holds: protocol, address, port. */
  readonly listens?: readonly { proto: 'tcp' | 'tcp6' | 'udp'; address: string; port: number }[];
}

interface Tree {
  readonly files: Readonly<Record<string, string>>;
  readonly links?: Readonly<Record<string, string>>;
  readonly procs?: readonly Proc[];
  /** Files whose mtime is set to this many days ago (update stamps). */
  readonly ages?: Readonly<Record<string, number>>;
}

/** A planted weakness: the rule that must fail and a substring of its evidence. */
export interface Plant {
  readonly rule: string;
  readonly evidence: string;
}

export interface HardeningHost {
  readonly root: string;
  readonly plants: readonly Plant[];
  remove(): void;
}

/** An IPv4 address as /proc/net prints it on a little-endian machine. */
function hex4(address: string): string {
  return address
    .split('.')
    .map((o) => Number(o).toString(16).padStart(2, '0').toUpperCase())
    .reverse()
    .join('');
}

function hexAddress(address: string): string {
  if (!address.includes(':')) return hex4(address);
  if (address === '::') return '0'.repeat(32);
  if (address === '::1') return `${'0'.repeat(24)}01000000`;
  throw new Error(`fixture address ${address} not supported`);
}

function procNet(procs: readonly Proc[], proto: 'tcp' | 'tcp6' | 'udp'): string {
  const header =
    '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
  const state = proto === 'udp' ? '07' : '0A';
  const zero = proto === 'tcp6' ? `${'0'.repeat(32)}:0000` : '00000000:0000';
  let row = 0;
  const lines = procs.flatMap((p) =>
    (p.listens ?? []).flatMap((l, i) =>
      l.proto !== proto
        ? []
        : [
            `   ${row++}: ${hexAddress(l.address)}:${l.port.toString(16).toUpperCase().padStart(4, '0')} ${zero} ${state} 00000000:00000000 00:00000000 00000000     0        0 ${p.pid * 100 + i} 1 0000000000000000 100 0 0 10 0`,
          ],
    ),
  );
  return header + lines.join('\n') + '\n';
}

const SYSCTL_SAFE: Readonly<Record<string, string>> = {
  'kernel/kptr_restrict': '1',
  'kernel/dmesg_restrict': '1',
  'kernel/unprivileged_bpf_disabled': '2',
  'net/ipv4/conf/all/route_localnet': '0',
  'fs/protected_hardlinks': '1',
  'fs/protected_symlinks': '1',
  'fs/protected_fifos': '1',
  'fs/protected_regular': '2',
  'kernel/yama/ptrace_scope': '1',
  'user/max_user_namespaces': '31000',
};

function sysctlFiles(values: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries({ ...SYSCTL_SAFE, ...values }).map(([k, v]) => [`/proc/sys/${k}`, `${v}\n`]),
  );
}

const DOCKER_FILES = { '/usr/bin/dockerd': '', '/usr/bin/runc': '', '/etc/docker/daemon.json': '{}\n' };
const AUDIT_RULES_OK =
  '-D\n-w /usr/bin/dockerd -p rwxa -k docker\n-w /usr/bin/runc -p rwxa -k docker\n-a always,exit -F dir=/etc/docker -F perm=wa -k docker\n';
const WANTS = '/etc/systemd/system/multi-user.target.wants';
const SSHD_HARDENED =
  'Include /etc/ssh/sshd_config.d/*.conf\nPermitRootLogin no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nX11Forwarding no\nAllowAgentForwarding no\n';
const SHADOW_OK = 'root:!:19700:0:99999:7:::\nadmin:$6$fixturesalt$fixturehashnotreal:19700:0:99999:7:::\n';
const SHADOW_WEAK = 'root:!:19700:0:99999:7:::\nguest::19700:0:99999:7:::\n';
const PASSWD =
  'root:x:0:0:root:/root:/bin/bash\nadmin:x:1000:1000::/home/admin:/bin/bash\nguest:x:1001:1001::/home/guest:/bin/sh\n';

function osRelease(lines: string): Record<string, string> {
  return { '/etc/os-release': `${lines}\n` };
}

function debianLike(id: 'debian' | 'ubuntu', weak: boolean): Tree {
  const os =
    id === 'debian'
      ? osRelease('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"')
      : osRelease('PRETTY_NAME="Ubuntu 24.04.1 LTS"\nID=ubuntu\nID_LIKE=debian\nVERSION_ID="24.04"');
  const userns =
    id === 'debian'
      ? { 'kernel/unprivileged_userns_clone': weak ? '1' : '0' }
      : { 'kernel/apparmor_restrict_unprivileged_userns': weak ? '0' : '1' };
  const sshdExtra =
    id === 'debian'
      ? {
          '/etc/ssh/sshd_config.d/10-cloud.conf': weak
            ? '# vendor drop-in\nPermitRootLogin yes\n'
            : '# nothing\n',
        }
      : {
          '/etc/ssh/sshd_config.d/50-cloud-init.conf': weak ? 'PasswordAuthentication yes\n' : '',
        };
  const sshdMain =
    id === 'ubuntu' && weak
      ? 'Include /etc/ssh/sshd_config.d/*.conf\nPermitRootLogin no\nX11Forwarding yes\nAllowAgentForwarding no\n\nMatch Address 10.0.0.0/8\n    PermitRootLogin yes\n'
      : id === 'debian' && weak
        ? 'Include /etc/ssh/sshd_config.d/*.conf\nPermitRootLogin no\nPasswordAuthentication no\nPermitEmptyPasswords yes\nX11Forwarding no\nAllowAgentForwarding no\n'
        : SSHD_HARDENED;
  const procs: Proc[] = [
    { pid: 1, comm: 'systemd', exe: '/usr/lib/systemd/systemd' },
    {
      pid: 22,
      comm: 'sshd',
      exe: '/usr/sbin/sshd',
      listens: [
        { proto: 'tcp', address: '0.0.0.0', port: 22 },
        { proto: 'tcp6', address: '::', port: 22 },
      ],
    },
    {
      pid: 25,
      comm: 'master',
      exe: '/usr/lib/postfix/sbin/master',
      listens: [{ proto: 'tcp', address: weak && id === 'ubuntu' ? '0.0.0.0' : '127.0.0.1', port: 25 }],
    },
    ...(weak
      ? [
          {
            pid: 300,
            comm: 'redis-server',
            exe: '/usr/bin/redis-server',
            listens: [{ proto: 'tcp' as const, address: '0.0.0.0', port: 6379 }],
          },
          {
            pid: 301,
            comm: 'avahi-daemon',
            exe: '/usr/sbin/avahi-daemon',
            listens: [{ proto: 'udp' as const, address: '0.0.0.0', port: 5353 }],
          },
        ]
      : [{ pid: 40, comm: 'systemd-timesyn', exe: '/usr/lib/systemd/systemd-timesyncd' }]),
  ];
  return {
    files: {
      ...os,
      ...DOCKER_FILES,
      '/usr/sbin/sshd': '',
      '/etc/ssh/sshd_config': sshdMain,
      ...sshdExtra,
      '/etc/shadow': weak ? SHADOW_WEAK : SHADOW_OK,
      '/etc/passwd': PASSWD,
      '/usr/bin/unattended-upgrade': '',
      '/etc/apt/apt.conf.d/20auto-upgrades': `APT::Periodic::Update-Package-Lists "1";\nAPT::Periodic::Unattended-Upgrade "${weak ? '0' : '1'}";\n`,
      '/var/lib/apt/periodic/unattended-upgrades-stamp': '',
      '/var/lib/apt/periodic/update-success-stamp': '',
      '/sbin/auditd': '',
      '/etc/audit/rules.d/docker.rules': weak
        ? '# -w /usr/bin/dockerd -k docker\n-w /etc/docker -k docker\n'
        : AUDIT_RULES_OK,
      '/etc/systemd/journald.conf': `[Journal]\nStorage=${weak ? 'volatile' : 'persistent'}\n`,
      '/lib/systemd/system/cups.service': '',
      '/lib/systemd/system/bluetooth.service': '',
      '/lib/systemd/system/systemd-timesyncd.service': '',
      ...(weak ? { '/usr/bin/gcc': '', '/usr/bin/make': '' } : { '/var/log/journal/.keep': '' }),
      ...sysctlFiles(
        weak ? { ...userns, 'kernel/kptr_restrict': '0', 'fs/protected_symlinks': '0' } : userns,
      ),
    },
    links: weak
      ? {
          [`${WANTS}/${id === 'debian' ? 'cups' : 'bluetooth'}.service`]: `/lib/systemd/system/${id === 'debian' ? 'cups' : 'bluetooth'}.service`,
          [`${WANTS}/sshd.service`]: '/lib/systemd/system/ssh.service',
        }
      : {
          [`${WANTS}/sshd.service`]: '/lib/systemd/system/ssh.service',
          '/etc/systemd/system/sysinit.target.wants/systemd-timesyncd.service':
            '/lib/systemd/system/systemd-timesyncd.service',
          '/etc/systemd/system/cups.service': '/dev/null',
        },
    procs,
    ages: weak
      ? {
          '/var/lib/apt/periodic/unattended-upgrades-stamp': 30,
          '/var/lib/apt/periodic/update-success-stamp': 30,
        }
      : {
          '/var/lib/apt/periodic/unattended-upgrades-stamp': 1,
          '/var/lib/apt/periodic/update-success-stamp': 1,
        },
  };
}

function rocky(weak: boolean): Tree {
  return {
    files: {
      ...osRelease(
        'NAME="Rocky Linux"\nID="rocky"\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.4"\nPRETTY_NAME="Rocky Linux 9.4 (Blue Onyx)"',
      ),
      ...DOCKER_FILES,
      '/usr/lib/systemd/system/docker.service': '',
      '/usr/sbin/sshd': '',
      // RHEL's sshd_config sets nothing weak itself; the compiled-in default PasswordAuthentication yes applies
      '/etc/ssh/sshd_config': weak
        ? 'Include /etc/ssh/sshd_config.d/*.conf\nPermitRootLogin prohibit-password\nX11Forwarding no\nAllowAgentForwarding no\n'
        : SSHD_HARDENED,
      '/etc/ssh/sshd_config.d/50-redhat.conf': 'ChallengeResponseAuthentication no\n',
      '/etc/shadow': SHADOW_OK,
      '/etc/passwd': PASSWD,
      '/etc/dnf/automatic.conf': `[commands]\nupgrade_type = security\napply_updates = ${weak ? 'no' : 'yes'}\n`,
      '/usr/lib/systemd/system/dnf-automatic.timer': '',
      '/usr/lib/systemd/system/rpcbind.socket': '',
      '/usr/lib/systemd/system/chronyd.service': '',
      '/var/lib/systemd/timers/stamp-dnf-automatic.timer': '',
      '/usr/sbin/auditd': '',
      '/etc/audit/audit.rules': weak
        ? '-D\n'
        : AUDIT_RULES_OK + '-w /usr/lib/systemd/system/docker.service -k docker\n',
      '/etc/systemd/journald.conf': '[Journal]\n#Storage=auto\n',
      ...(weak ? { '/usr/bin/rpmbuild': '' } : { '/var/log/journal/.keep': '' }),
      ...sysctlFiles(
        weak
          ? { 'kernel/unprivileged_bpf_disabled': '0', 'user/max_user_namespaces': '63000' }
          : { 'user/max_user_namespaces': '0' },
      ),
    },
    links: {
      ...(weak
        ? {
            '/etc/systemd/system/sockets.target.wants/rpcbind.socket':
              '/usr/lib/systemd/system/rpcbind.socket',
          }
        : {
            '/etc/systemd/system/timers.target.wants/dnf-automatic.timer':
              '/usr/lib/systemd/system/dnf-automatic.timer',
            [`${WANTS}/chronyd.service`]: '/usr/lib/systemd/system/chronyd.service',
          }),
    },
    procs: [
      { pid: 1, comm: 'systemd' },
      { pid: 22, comm: 'sshd', listens: [{ proto: 'tcp', address: '0.0.0.0', port: 22 }] },
      ...(weak
        ? [{ pid: 111, comm: 'rpcbind', listens: [{ proto: 'tcp' as const, address: '0.0.0.0', port: 111 }] }]
        : []),
    ],
    ages: { '/var/lib/systemd/timers/stamp-dnf-automatic.timer': weak ? 20 : 1 },
  };
}

function flatcar(weak: boolean): Tree {
  return {
    files: {
      ...osRelease(
        'NAME="Flatcar Container Linux by Kinvolk"\nID=flatcar\nID_LIKE=coreos\nVERSION_ID=3975.2.2\nPRETTY_NAME="Flatcar Container Linux by Kinvolk 3975.2.2 (Oklo)"',
      ),
      '/usr/bin/dockerd': '',
      '/usr/bin/runc': '',
      '/usr/sbin/sshd': '',
      '/etc/ssh/sshd_config': weak
        ? 'PermitRootLogin yes\nPasswordAuthentication no\nX11Forwarding no\nAllowAgentForwarding no\n'
        : SSHD_HARDENED,
      '/etc/shadow': 'core:*:19700:0:99999:7:::\n',
      '/etc/passwd': 'core:x:500:500::/home/core:/bin/bash\n',
      '/etc/flatcar/update.conf': weak ? 'SERVER=disabled\n' : 'GROUP=stable\n',
      '/usr/lib/systemd/system/update-engine.service': '',
      '/usr/lib/systemd/system/systemd-timesyncd.service': '',
      '/sbin/auditd': '',
      '/etc/audit/rules.d/docker.rules': weak ? '' : AUDIT_RULES_OK,
      '/etc/systemd/journald.conf': '[Journal]\n',
      '/var/log/journal/.keep': '',
      ...sysctlFiles(
        weak ? { 'net/ipv4/conf/all/route_localnet': '1' } : { 'user/max_user_namespaces': '0' },
      ),
    },
    links: {
      '/usr/lib/systemd/system/sysinit.target.wants/systemd-timesyncd.service':
        '../systemd-timesyncd.service',
    },
    procs: [
      { pid: 1, comm: 'systemd' },
      { pid: 22, comm: 'sshd', listens: [{ proto: 'tcp6', address: '::', port: 22 }] },
      ...(weak
        ? [
            {
              pid: 910,
              comm: 'node_exporter',
              listens: [{ proto: 'tcp6' as const, address: '::', port: 9100 }],
            },
          ]
        : []),
    ],
  };
}

function bottlerocket(weak: boolean): Tree {
  return {
    files: {
      ...osRelease(
        'NAME=Bottlerocket\nID=bottlerocket\nVERSION_ID=1.26.2\nPRETTY_NAME="Bottlerocket OS 1.26.2 (aws-k8s-1.31)"\nVARIANT_ID=aws-k8s-1.31',
      ),
      '/usr/bin/containerd': '',
      '/usr/bin/runc': '',
      '/etc/shadow': 'root:*:19700:0:99999:7:::\n',
      '/etc/passwd': 'root:x:0:0:root:/root:/sbin/nologin\n',
      '/usr/lib/systemd/system/chronyd.service': '',
      '/usr/lib/systemd/journald.conf.d/bottlerocket.conf': '[Journal]\nStorage=persistent\n',
      ...sysctlFiles(
        weak
          ? { 'kernel/dmesg_restrict': '0', 'kernel/yama/ptrace_scope': '0' }
          : { 'user/max_user_namespaces': '0' },
      ),
    },
    links: { [`/usr/lib/systemd/system/multi-user.target.wants/chronyd.service`]: '../chronyd.service' },
    procs: [
      { pid: 1, comm: 'systemd' },
      { pid: 30, comm: 'chronyd' },
      { pid: 50, comm: 'kubelet', listens: [{ proto: 'tcp6', address: '::', port: 10250 }] },
      ...(weak
        ? [
            {
              pid: 700,
              comm: 'debug-server',
              listens: [{ proto: 'tcp' as const, address: '0.0.0.0', port: 8080 }],
            },
          ]
        : []),
    ],
  };
}

const PLANTS: Readonly<Record<Distro, readonly Plant[]>> = {
  debian: [
    { rule: 'BH-H-020', evidence: 'ID=debian' },
    { rule: 'BH-H-021', evidence: '0.0.0.0:6379 by redis-server[300]' },
    { rule: 'BH-H-022', evidence: 'multi-user.target.wants/cups.service=cups.service enabled' },
    { rule: 'BH-H-022', evidence: '/proc/301/comm=avahi-daemon running' },
    { rule: 'BH-H-023', evidence: '/usr/bin/gcc=present' },
    { rule: 'BH-H-024', evidence: 'Unattended-Upgrade "0"' },
    { rule: 'BH-H-025', evidence: 'unattended-upgrades-stamp=' },
    { rule: 'BH-H-026', evidence: '/etc/ssh/sshd_config.d/10-cloud.conf:2=PermitRootLogin yes' },
    { rule: 'BH-H-028', evidence: '/etc/ssh/sshd_config:4=PermitEmptyPasswords yes' },
    { rule: 'BH-H-030', evidence: '/etc/shadow:2=guest: empty password field' },
    { rule: 'BH-H-031', evidence: '/usr/bin/dockerd (CIS 1.1.3) not watched' },
    { rule: 'BH-H-032', evidence: '/etc/systemd/journald.conf:2=Storage=volatile' },
    { rule: 'BH-H-033', evidence: 'none of systemd-timesyncd' },
    { rule: 'BH-H-034', evidence: '/proc/sys/kernel/unprivileged_userns_clone=1' },
    { rule: 'BH-H-035', evidence: '/proc/sys/kernel/kptr_restrict=0' },
    { rule: 'BH-H-039', evidence: '/proc/sys/fs/protected_symlinks=0' },
  ],
  ubuntu: [
    { rule: 'BH-H-020', evidence: 'ID=ubuntu' },
    { rule: 'BH-H-021', evidence: '0.0.0.0:6379 by redis-server[300]' },
    { rule: 'BH-H-022', evidence: 'bluetooth.service enabled' },
    { rule: 'BH-H-022', evidence: 'master listens on 0.0.0.0:25' },
    { rule: 'BH-H-026', evidence: '/etc/ssh/sshd_config:7=PermitRootLogin yes' },
    { rule: 'BH-H-027', evidence: '/etc/ssh/sshd_config.d/50-cloud-init.conf:1=PasswordAuthentication yes' },
    { rule: 'BH-H-029', evidence: '/etc/ssh/sshd_config:3=X11Forwarding yes' },
    { rule: 'BH-H-030', evidence: 'guest: empty password field' },
    { rule: 'BH-H-034', evidence: 'apparmor_restrict_unprivileged_userns=0' },
  ],
  rocky: [
    { rule: 'BH-H-020', evidence: 'ID=rocky' },
    { rule: 'BH-H-021', evidence: '0.0.0.0:111 by rpcbind[111]' },
    { rule: 'BH-H-022', evidence: 'sockets.target.wants/rpcbind.socket=rpcbind.socket enabled' },
    { rule: 'BH-H-023', evidence: '/usr/bin/rpmbuild=present' },
    { rule: 'BH-H-024', evidence: '/etc/dnf/automatic.conf:3: apply_updates = no' },
    { rule: 'BH-H-027', evidence: 'sshd default (passwordauthentication)=PasswordAuthentication yes' },
    { rule: 'BH-H-031', evidence: '/usr/bin/runc (CIS 1.1.18) not watched' },
    { rule: 'BH-H-032', evidence: 'Storage=auto' },
    { rule: 'BH-H-033', evidence: 'none of systemd-timesyncd' },
    { rule: 'BH-H-034', evidence: '/proc/sys/user/max_user_namespaces=63000' },
    { rule: 'BH-H-037', evidence: '/proc/sys/kernel/unprivileged_bpf_disabled=0' },
  ],
  flatcar: [
    { rule: 'BH-H-021', evidence: '[::]:9100 by node_exporter[910]' },
    { rule: 'BH-H-024', evidence: 'SERVER=disabled' },
    { rule: 'BH-H-026', evidence: '/etc/ssh/sshd_config:1=PermitRootLogin yes' },
    { rule: 'BH-H-031', evidence: '/usr/bin/dockerd (CIS 1.1.3) not watched' },
    { rule: 'BH-H-038', evidence: '/proc/sys/net/ipv4/conf/all/route_localnet=1' },
  ],
  bottlerocket: [
    { rule: 'BH-H-021', evidence: '0.0.0.0:8080 by debug-server[700]' },
    { rule: 'BH-H-036', evidence: '/proc/sys/kernel/dmesg_restrict=0' },
    { rule: 'BH-H-040', evidence: '/proc/sys/kernel/yama/ptrace_scope=0' },
  ],
};

function treeFor(distro: Distro, weak: boolean): Tree {
  switch (distro) {
    case 'debian':
    case 'ubuntu':
      return debianLike(distro, weak);
    case 'rocky':
      return rocky(weak);
    case 'flatcar':
      return flatcar(weak);
    case 'bottlerocket':
      return bottlerocket(weak);
    default:
      return distro satisfies never;
  }
}

export function materializeHardeningHost(distro: Distro, variant: 'weak' | 'hardened'): HardeningHost {
  const weak = variant === 'weak';
  const tree = treeFor(distro, weak);
  const root = mkdtempSync(join(tmpdir(), `bh-hardening-${distro}-${variant}-`));
  const write = (path: string, text: string): void => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  for (const [path, text] of Object.entries(tree.files)) write(path, text);
  for (const [path, target] of Object.entries(tree.links ?? {})) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    symlinkSync(target, join(root, path));
  }
  const procs = tree.procs ?? [];
  for (const proto of ['tcp', 'tcp6', 'udp'] as const) write(`/proc/net/${proto}`, procNet(procs, proto));
  write('/proc/net/udp6', procNet([], 'udp'));
  for (const p of procs) {
    write(`/proc/${p.pid}/comm`, `${p.comm}\n`);
    mkdirSync(join(root, `proc/${p.pid}/fd`), { recursive: true });
    if (p.exe !== undefined) symlinkSync(p.exe, join(root, `proc/${p.pid}/exe`));
    (p.listens ?? []).forEach((_, i) => {
      symlinkSync(`socket:[${p.pid * 100 + i}]`, join(root, `proc/${p.pid}/fd/${i + 3}`));
    });
  }
  const now = Date.now() / 1000;
  for (const [path, days] of Object.entries(tree.ages ?? {}))
    utimesSync(join(root, path), now - days * 86_400, now - days * 86_400);
  return {
    root,
    plants: weak ? PLANTS[distro] : [],
    remove: () => {
      rmSync(root, { recursive: true, force: true });
    },
  };
}
