// Collects HardeningFacts from a root: each part is known with the file it came from, or unknown with the reason
// (a part that could not be read is never reported as clean).
import { DOCKER_AUDIT_PATHS, type HardeningFacts } from '../../facts/hardening.js';
import { known, unknown } from '../../facts/known.js';
import type { RootFs } from '../root-fs.js';
import { readAccountStatus } from './accounts-status.js';
import { readAuditd } from './auditd.js';
import { classifyOsRelease } from './container-os.js';
import { readJournald } from './journald.js';
import { readListeners, readProcesses } from './listeners.js';
import { readAutoUpdates } from './patching.js';
import { readSshdConfig, SSHD_CONFIG } from './sshd.js';
import { readSysctls } from './sysctl.js';
import { readUnits } from './systemd.js';

/** Compilers and package build tools: on a container host they only help an intruder build tools in place. */
export const BUILD_TOOLS = [
  '/usr/bin/gcc',
  '/usr/bin/cc',
  '/usr/bin/g++',
  '/usr/bin/c++',
  '/usr/bin/clang',
  '/usr/bin/make',
  '/usr/bin/rpmbuild',
  '/usr/bin/dpkg-buildpackage',
  '/usr/bin/go',
  '/usr/local/go/bin/go',
  '/usr/bin/rustc',
];

/** Time daemons and their units (systemd-timesyncd's comm is cut to 15 characters by the kernel). */
const TIME_UNITS = [
  'systemd-timesyncd.service',
  'chrony.service',
  'chronyd.service',
  'ntp.service',
  'ntpd.service',
  'ntpsec.service',
  'openntpd.service',
];
const TIME_PROCESSES = ['systemd-timesyn', 'chronyd', 'ntpd', 'openntpd'];

export function collectHardeningFacts(fs: RootFs): HardeningFacts {
  const osText = fs.readIfExists('/etc/os-release') ?? fs.readIfExists('/usr/lib/os-release');
  const osInfo = osText === undefined ? undefined : classifyOsRelease(osText);
  const processes = readProcesses(fs);
  const listeners = processes === undefined ? undefined : readListeners(fs, processes);
  const units = readUnits(fs);

  const sshdInstalled = ['/usr/sbin/sshd', '/usr/bin/sshd', '/usr/lib/ssh/sshd'].some((p) => fs.exists(p));
  const sshd = readSshdConfig(fs);
  const accounts = readAccountStatus(fs);
  const auditd = readAuditd(fs);
  const journald = readJournald(fs);
  const sysctls = readSysctls(fs);

  const timeActive = [
    ...TIME_UNITS.filter((u) => units?.units.some((x) => x.name === u) === true),
    ...TIME_PROCESSES.filter((p) => processes?.some((x) => x.comm === p) === true).map((p) => `process ${p}`),
  ];

  return {
    os:
      osInfo === undefined
        ? unknown('no /etc/os-release or /usr/lib/os-release with an ID')
        : known(
            osInfo,
            osText === fs.readIfExists('/etc/os-release') ? '/etc/os-release' : '/usr/lib/os-release',
          ),
    processes: processes === undefined ? unknown('no /proc under the root') : known(processes, '/proc'),
    listeners:
      listeners === undefined
        ? unknown('no /proc/net/{tcp,tcp6,udp,udp6} under the root')
        : known(listeners.listeners, listeners.tables.join(', ')),
    units:
      units === undefined
        ? unknown('no systemd unit directories under the root (not a systemd host)')
        : known(units.units, units.dirs.join(', ')),
    buildTools: known(
      BUILD_TOOLS.filter((p) => fs.exists(p)),
      'binaries under /usr/bin and /usr/local',
    ),
    autoUpdates: known(readAutoUpdates(fs, units?.units, osInfo?.id), 'update configuration'),
    sshd:
      !sshdInstalled && sshd === undefined
        ? unknown('sshd is not installed (no /usr/sbin/sshd)')
        : sshd === undefined
          ? unknown(`sshd is installed but ${SSHD_CONFIG} cannot be read`)
          : known(sshd, sshd.files.join(', ')),
    accounts: 'accounts' in accounts ? known(accounts.accounts, '/etc/shadow') : unknown(accounts.reason),
    auditd: known(
      {
        installed: auditd.installed,
        watches: auditd.watches,
        present: DOCKER_AUDIT_PATHS.flatMap((item) => item.paths).filter((p) => fs.exists(p)),
        files: auditd.files,
      },
      auditd.files.length === 0 ? '/etc/audit (no rules files)' : auditd.files.join(', '),
    ),
    journald:
      units === undefined && !fs.exists('/etc/systemd/journald.conf')
        ? unknown('not a systemd host (no journald.conf or unit directories)')
        : known(journald, journald.at.file),
    timeSync:
      units === undefined && processes === undefined
        ? unknown('neither systemd units nor /proc under the root')
        : known({ active: timeActive }, 'systemd units and /proc'),
    sysctls: sysctls === undefined ? unknown('no /proc/sys under the root') : known(sysctls, '/proc/sys'),
  };
}
