// Case tables for the host-hardening rules (BH-H-020..040): a hardened HardeningFacts with one weakness planted
// per failing case. Parsers are tested on real file text in test/audit/hardening-parsers.test.ts.
import {
  type Facts,
  known,
  unknown,
  type HardeningFacts,
  type Listener,
  type SshdConfig,
} from '../../../src/facts/index.js';
import { buildFacts, hostFacts } from '../facts-builder.js';
import type { CaseTable, Expect, RuleCase } from './types.js';

const sshdSetting = (value: string, line?: number): SshdConfig['global'][string] =>
  line === undefined
    ? { value, at: { file: 'sshd default' }, isDefault: true }
    : { value, at: { file: '/etc/ssh/sshd_config', line }, isDefault: false };

const HARDENED_SSHD: SshdConfig = {
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

const listener = (
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

const sysctls = (overrides: Record<string, string | undefined> = {}): HardeningFacts['sysctls'] => {
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

const on = (
  name: string,
  hardening: Partial<HardeningFacts>,
  outcome: Expect['outcome'],
  evidence?: string[],
): RuleCase => ({
  name,
  facts: buildFacts({ host: hostFacts({ hardening: hardenedFacts(hardening) }), engine: null }),
  expect: [{ target: 'host', outcome, ...(evidence === undefined ? {} : { evidence }) }],
});

const sshd = (
  global: Partial<SshdConfig['global']>,
  matches: SshdConfig['matches'] = [],
): Partial<HardeningFacts> => ({
  sshd: known(
    { ...HARDENED_SSHD, global: { ...HARDENED_SSHD.global, ...global } as SshdConfig['global'], matches },
    '/etc/ssh/sshd_config',
  ),
});

const notCollected: RuleCase = {
  name: 'facts recorded without hardening skip',
  facts: buildFacts({ host: hostFacts(), engine: null }),
  expect: [{ target: 'host', outcome: 'skip' }],
};

export const hardeningCases: CaseTable = {
  'BH-H-020': [
    on('Flatcar passes', {}, 'pass'),
    on(
      'Debian fails low',
      { os: known({ id: 'debian', name: 'Debian GNU/Linux 12 (bookworm)' }, '/etc/os-release') },
      'fail',
      ['ID=debian'],
    ),
    on(
      'Fedora CoreOS passes',
      {
        os: known(
          {
            id: 'fedora',
            variantId: 'coreos',
            name: 'Fedora CoreOS 41',
            containerOptimized: 'fedora-coreos',
          },
          '/etc/os-release',
        ),
      },
      'pass',
    ),
    on('no os-release skips', { os: unknown('no /etc/os-release') }, 'skip'),
    notCollected,
  ],
  'BH-H-021': [
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
    on(
      'no /proc/net skips',
      { listeners: unknown('no /proc/net/{tcp,tcp6,udp,udp6} under the root') },
      'skip',
    ),
  ],
  'BH-H-022': [
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
  ],
  'BH-H-023': [
    on('no build tools passes', {}, 'pass'),
    on('gcc and make fail', { buildTools: known(['/usr/bin/gcc', '/usr/bin/make'], 'binaries') }, 'fail', [
      '/usr/bin/gcc=present',
    ]),
  ],
  'BH-H-024': [
    on('unattended-upgrades applying passes', {}, 'pass'),
    on(
      'unattended-upgrades not applying fails',
      {
        autoUpdates: known(
          {
            mechanism: 'unattended-upgrades',
            applies: false,
            evidence: ['/etc/apt/apt.conf.d/20auto-upgrades:2: APT::Periodic::Unattended-Upgrade "0"'],
          },
          'update configuration',
        ),
      },
      'fail',
      ['Unattended-Upgrade "0"'],
    ),
    on(
      'nothing on Debian fails',
      {
        os: known({ id: 'debian', name: 'Debian' }, '/etc/os-release'),
        autoUpdates: known({ mechanism: 'none', applies: false, evidence: [] }, 'update configuration'),
      },
      'fail',
    ),
    on(
      'nothing on Bottlerocket is n/a',
      {
        os: known(
          { id: 'bottlerocket', name: 'Bottlerocket', containerOptimized: 'bottlerocket' },
          '/etc/os-release',
        ),
        autoUpdates: known({ mechanism: 'none', applies: false, evidence: [] }, 'update configuration'),
      },
      'not-applicable',
    ),
  ],
  'BH-H-025': [
    on('ran yesterday passes', {}, 'pass'),
    on(
      'ran 40 days ago fails',
      {
        autoUpdates: known(
          {
            mechanism: 'dnf-automatic',
            applies: true,
            evidence: [],
            lastRun: '2025-11-22T00:00:00.000Z',
            lastRunSource: '/var/lib/systemd/timers/stamp-dnf-automatic-install.timer',
          },
          'update configuration',
        ),
      },
      'fail',
      ['stamp-dnf-automatic-install.timer=2025-11-22'],
    ),
    on(
      'never ran fails',
      {
        autoUpdates: known(
          { mechanism: 'unattended-upgrades', applies: true, evidence: [] },
          'update configuration',
        ),
      },
      'fail',
    ),
    on(
      'no mechanism skips',
      { autoUpdates: known({ mechanism: 'none', applies: false, evidence: [] }, 'update configuration') },
      'skip',
    ),
  ],
  'BH-H-026': [
    on('PermitRootLogin no passes', {}, 'pass'),
    on('PermitRootLogin yes fails with its line', sshd({ permitrootlogin: sshdSetting('yes', 12) }), 'fail', [
      '/etc/ssh/sshd_config:12=PermitRootLogin yes',
    ]),
    on(
      'a Match block allowing root fails',
      sshd({}, [
        {
          criteria: 'Address 10.0.0.0/8',
          at: { file: '/etc/ssh/sshd_config', line: 30 },
          settings: { permitrootlogin: sshdSetting('yes', 31) },
        },
      ]),
      'fail',
      ['sshd_config:31=PermitRootLogin yes'],
    ),
    on(
      'the default prohibit-password passes',
      sshd({ permitrootlogin: sshdSetting('prohibit-password') }),
      'pass',
    ),
    on('no sshd skips', { sshd: unknown('sshd is not installed') }, 'skip'),
  ],
  'BH-H-027': [
    on('PasswordAuthentication no passes', {}, 'pass'),
    on('the default yes fails', sshd({ passwordauthentication: sshdSetting('yes') }), 'fail', [
      'sshd default=PasswordAuthentication yes',
    ]),
  ],
  'BH-H-028': [
    on('PermitEmptyPasswords no passes', {}, 'pass'),
    on('PermitEmptyPasswords yes fails', sshd({ permitemptypasswords: sshdSetting('yes', 9) }), 'fail', [
      'sshd_config:9',
    ]),
  ],
  'BH-H-029': [
    on('both off passes', {}, 'pass'),
    on('default agent forwarding fails', sshd({ allowagentforwarding: sshdSetting('yes') }), 'fail', [
      'AllowAgentForwarding yes',
    ]),
    on('X11Forwarding yes fails', sshd({ x11forwarding: sshdSetting('yes', 20) }), 'fail', [
      'sshd_config:20=X11Forwarding yes',
    ]),
  ],
  'BH-H-030': [
    on('locked and set passwords pass', {}, 'pass'),
    on(
      'an empty password fails without a hash',
      { accounts: known([{ user: 'guest', status: 'empty', line: 7, shell: '/bin/sh' }], '/etc/shadow') },
      'fail',
      ['/etc/shadow:7=guest: empty password field'],
    ),
    on(
      'unreadable shadow skips',
      { accounts: unknown('/etc/shadow: permission denied (run as root to read it)') },
      'skip',
    ),
  ],
  'BH-H-031': [
    on('watched dockerd and /etc/docker (covering daemon.json) pass', {}, 'pass'),
    on(
      'a missing watch fails',
      {
        auditd: known(
          { installed: true, watches: [], present: ['/usr/bin/runc'], files: ['/etc/audit/audit.rules'] },
          '/etc/audit/audit.rules',
        ),
      },
      'fail',
      ['/usr/bin/runc (CIS 1.1.18) not watched'],
    ),
    on(
      'no auditd fails',
      {
        auditd: known(
          { installed: false, watches: [], present: ['/usr/bin/dockerd'], files: [] },
          '/etc/audit (no rules files)',
        ),
      },
      'fail',
    ),
    on(
      'no Docker files is n/a',
      {
        auditd: known(
          { installed: false, watches: [], present: [], files: [] },
          '/etc/audit (no rules files)',
        ),
      },
      'not-applicable',
    ),
  ],
  'BH-H-032': [
    on('persistent passes', {}, 'pass'),
    on(
      'volatile fails',
      {
        journald: known(
          { storage: 'volatile', at: { file: '/etc/systemd/journald.conf', line: 2 }, persistentDir: false },
          '/etc/systemd/journald.conf',
        ),
      },
      'fail',
      ['journald.conf:2=Storage=volatile'],
    ),
    on(
      'auto without /var/log/journal fails',
      {
        journald: known(
          { storage: 'auto', at: { file: 'journald default' }, persistentDir: false },
          'journald default',
        ),
      },
      'fail',
    ),
    on(
      'auto with /var/log/journal passes',
      {
        journald: known(
          { storage: 'auto', at: { file: 'journald default' }, persistentDir: true },
          'journald default',
        ),
      },
      'pass',
    ),
  ],
  'BH-H-033': [
    on('timesyncd passes', {}, 'pass'),
    on('nothing fails', { timeSync: known({ active: [] }, 'systemd units and /proc') }, 'fail'),
  ],
  'BH-H-034': [
    on('unprivileged_userns_clone 0 passes', {}, 'pass'),
    on(
      'clone 1 and namespaces allowed fails',
      { sysctls: sysctls({ 'kernel.unprivileged_userns_clone': '1' }) },
      'fail',
      ['unprivileged_userns_clone=1'],
    ),
    on(
      'RHEL with max_user_namespaces only fails',
      { sysctls: sysctls({ 'kernel.unprivileged_userns_clone': undefined }) },
      'fail',
      ['max_user_namespaces=15000'],
    ),
    on(
      'max_user_namespaces 0 passes',
      {
        sysctls: sysctls({ 'kernel.unprivileged_userns_clone': undefined, 'user.max_user_namespaces': '0' }),
      },
      'pass',
    ),
  ],
  'BH-H-035': [
    on('1 passes', {}, 'pass'),
    on('0 fails', { sysctls: sysctls({ 'kernel.kptr_restrict': '0' }) }, 'fail', ['kptr_restrict=0']),
  ],
  'BH-H-036': [
    on('1 passes', {}, 'pass'),
    on('0 fails', { sysctls: sysctls({ 'kernel.dmesg_restrict': '0' }) }, 'fail', ['dmesg_restrict=0']),
  ],
  'BH-H-037': [
    on('2 passes', {}, 'pass'),
    on('0 fails', { sysctls: sysctls({ 'kernel.unprivileged_bpf_disabled': '0' }) }, 'fail', [
      'unprivileged_bpf_disabled=0',
    ]),
    on('absent knob skips', { sysctls: sysctls({ 'kernel.unprivileged_bpf_disabled': undefined }) }, 'skip'),
  ],
  'BH-H-038': [
    on('0 passes', {}, 'pass'),
    on('1 fails', { sysctls: sysctls({ 'net.ipv4.conf.all.route_localnet': '1' }) }, 'fail', [
      'route_localnet=1',
    ]),
  ],
  'BH-H-039': [
    on('all on passes', {}, 'pass'),
    on('protected_symlinks 0 fails', { sysctls: sysctls({ 'fs.protected_symlinks': '0' }) }, 'fail', [
      'protected_symlinks=0',
    ]),
  ],
  'BH-H-040': [
    on('1 passes', {}, 'pass'),
    on('0 fails', { sysctls: sysctls({ 'kernel.yama.ptrace_scope': '0' }) }, 'fail', ['ptrace_scope=0']),
  ],
};

const pending = (
  value: Facts['pendingUpdates'],
  outcome: Expect['outcome'],
  name: string,
  evidence?: string[],
): RuleCase => ({
  name,
  facts: {
    ...buildFacts({ host: hostFacts({ hardening: hardenedFacts() }), engine: null }),
    ...(value === undefined ? {} : { pendingUpdates: value }),
  },
  expect: [{ target: 'host', outcome, ...(evidence === undefined ? {} : { evidence }) }],
});

export const pendingUpdateCases: CaseTable = {
  'BH-H-042': [
    pending(
      known({ os: 'Debian GNU/Linux 12 (bookworm)', installed: 120, packages: [] }, 'dpkg + db'),
      'pass',
      'nothing pending passes',
    ),
    pending(
      known(
        {
          os: 'Debian GNU/Linux 12 (bookworm)',
          installed: 120,
          packages: [
            {
              name: 'curl',
              installed: '7.88.1-10+deb12u9',
              fixed: '7.88.1-10+deb12u15',
              severity: 'medium',
              cves: ['CVE-2024-11053'],
            },
          ],
        },
        'dpkg + db',
      ),
      'fail',
      'a fix not installed fails',
      ['curl 7.88.1-10+deb12u9=CVE-2024-11053 (medium)'],
    ),
    pending(unknown('no vulnerability database given'), 'skip', 'no database skips'),
    pending(undefined, 'skip', 'facts recorded without it skip'),
  ],
};
