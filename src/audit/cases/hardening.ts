// Shared inputs of the case tables for the host-hardening rules (BH-H-020..040): a hardened HardeningFacts with one weakness planted
import { type Facts, known, type HardeningFacts, type Listener, type SshdConfig } from '../../facts/index.js';
import { buildFacts, hostFacts } from './facts.js';
import { type AuditExpect, type AuditCase } from '../rule.js';

// per failing case. Parsers are tested on real file text in test/audit/hardening-parsers.test.ts.

export const sshdSetting = (value: string, line?: number): SshdConfig['global'][string] =>
  line === undefined
    ? { value, at: { file: 'sshd default' }, isDefault: true }
    : { value, at: { file: '/etc/ssh/sshd_config', line }, isDefault: false };

export const HARDENED_SSHD: SshdConfig = {
  global: {
    permitrootlogin: sshdSetting('no', 3),
    passwordauthentication: sshdSetting('no', 4),
    permitemptypasswords: sshdSetting('no'),
    x11forwarding: sshdSetting('no', 5),
    allowagentforwarding: sshdSetting('no', 6),
    kbdinteractiveauthentication: sshdSetting('no', 7),
  },
  matches: [],
  files: ['/etc/ssh/sshd_config'],
};

export const listener = (
  address: string,
  port: number,
  comm: string,
  protocol: Listener['protocol'] = 'tcp',
): Listener => ({
  protocol,
  address,
  port,
  wildcard: address === '0.0.0.0' || address === '::',
  loopback: address.startsWith('127.') || address === '::1',
  inode: 1000 + port,
  processes: [{ pid: 100 + port, comm }],
  table: `/proc/net/${protocol}`,
});

export const sysctls = (overrides: Record<string, string | undefined> = {}): HardeningFacts['sysctls'] => {
  const values: Record<string, string | undefined> = {
    'kernel.unprivileged_userns_clone': '0',
    'user.max_user_namespaces': '15000',
    'kernel.kptr_restrict': '1',
    'kernel.dmesg_restrict': '1',
    'kernel.unprivileged_bpf_disabled': '2',
    'net.ipv4.conf.all.route_localnet': '0',
    'fs.protected_hardlinks': '1',
    'fs.protected_symlinks': '1',
    'fs.protected_fifos': '1',
    'fs.protected_regular': '2',
    'kernel.yama.ptrace_scope': '1',
    ...overrides,
  };
  return known(
    Object.entries(values).map(([name, value]) => ({
      name,
      source: `/proc/sys/${name.replace(/\./g, '/')}`,
      ...(value === undefined ? {} : { value }),
    })),
    '/proc/sys',
  );
};

export function hardenedFacts(overrides: Partial<HardeningFacts> = {}): HardeningFacts {
  return {
    os: known(
      { id: 'flatcar', name: 'Flatcar Container Linux', containerOptimized: 'flatcar' },
      '/etc/os-release',
    ),
    listeners: known([listener('0.0.0.0', 22, 'sshd'), listener('127.0.0.1', 25, 'master')], '/proc/net/tcp'),
    processes: known(
      [
        { pid: 1, comm: 'systemd' },
        { pid: 22, comm: 'sshd' },
      ],
      '/proc',
    ),
    units: known(
      [
        {
          name: 'sshd.service',
          enabled: true,
          source: '/etc/systemd/system/multi-user.target.wants/sshd.service',
        },
        {
          name: 'systemd-timesyncd.service',
          enabled: true,
          source: '/etc/systemd/system/sysinit.target.wants/systemd-timesyncd.service',
        },
      ],
      '/etc/systemd/system',
    ),
    buildTools: known([], 'binaries under /usr/bin and /usr/local'),
    autoUpdates: known(
      {
        mechanism: 'unattended-upgrades',
        applies: true,
        evidence: ['/etc/apt/apt.conf.d/20auto-upgrades:2: APT::Periodic::Unattended-Upgrade "1"'],
        lastRun: '2025-12-31T06:00:00.000Z',
        lastRunSource: '/var/lib/apt/periodic/unattended-upgrades-stamp',
        listsUpdated: '2025-12-31T06:00:00.000Z',
        listsSource: '/var/lib/apt/periodic/update-success-stamp',
      },
      'update configuration',
    ),
    sshd: known(HARDENED_SSHD, '/etc/ssh/sshd_config'),
    accounts: known(
      [
        { user: 'root', status: 'locked', line: 1, shell: '/bin/bash' },
        { user: 'core', status: 'password', line: 2, shell: '/bin/bash' },
      ],
      '/etc/shadow',
    ),
    auditd: known(
      {
        installed: true,
        watches: [
          {
            path: '/usr/bin/dockerd',
            permissions: 'rwxa',
            key: 'docker',
            at: { file: '/etc/audit/rules.d/docker.rules', line: 1 },
          },
          {
            path: '/etc/docker',
            permissions: 'rwxa',
            key: 'docker',
            at: { file: '/etc/audit/rules.d/docker.rules', line: 2 },
          },
        ],
        present: ['/usr/bin/dockerd', '/etc/docker', '/etc/docker/daemon.json'],
        files: ['/etc/audit/rules.d/docker.rules'],
      },
      '/etc/audit/rules.d/docker.rules',
    ),
    journald: known(
      { storage: 'persistent', at: { file: '/etc/systemd/journald.conf', line: 3 }, persistentDir: true },
      '/etc/systemd/journald.conf',
    ),
    timeSync: known({ active: ['systemd-timesyncd.service'] }, 'systemd units and /proc'),
    sysctls: sysctls(),
    ...overrides,
  };
}

export const on = (
  name: string,
  hardening: Partial<HardeningFacts>,
  outcome: AuditExpect['outcome'],
  evidence?: string[],
): AuditCase => ({
  name,
  facts: buildFacts({ host: hostFacts({ hardening: hardenedFacts(hardening) }), engine: null }),
  expect: [{ target: 'host', outcome, ...(evidence === undefined ? {} : { evidence }) }],
});

export const sshd = (
  global: Partial<SshdConfig['global']>,
  matches: SshdConfig['matches'] = [],
): Partial<HardeningFacts> => ({
  sshd: known(
    { ...HARDENED_SSHD, global: { ...HARDENED_SSHD.global, ...global } as SshdConfig['global'], matches },
    '/etc/ssh/sshd_config',
  ),
});

export const notCollected: AuditCase = {
  name: 'facts recorded without hardening skip',
  facts: buildFacts({ host: hostFacts(), engine: null }),
  expect: [{ target: 'host', outcome: 'skip' }],
};

export const pending = (
  value: Facts['pendingUpdates'],
  outcome: AuditExpect['outcome'],
  name: string,
  evidence?: string[],
): AuditCase => ({
  name,
  facts: {
    ...buildFacts({ host: hostFacts({ hardening: hardenedFacts() }), engine: null }),
    ...(value === undefined ? {} : { pendingUpdates: value }),
  },
  expect: [{ target: 'host', outcome, ...(evidence === undefined ? {} : { evidence }) }],
});
