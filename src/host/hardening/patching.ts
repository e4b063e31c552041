// How the host installs security updates by itself: Debian/Ubuntu unattended-upgrades (apt.conf(5)
// APT::Periodic::Unattended-Upgrade, its stamp and log), RHEL-family dnf-automatic (automatic.conf [commands]
// apply_updates, dnf-automatic*.timer) or yum-cron, and Flatcar's update_engine.
import type { AutoUpdates, Unit } from '../../facts/hardening.js';
import type { RootFs } from '../root-fs.js';

const APT_CONF_DIR = '/etc/apt/apt.conf.d';

/** Last value of an apt.conf option across apt.conf.d files in lexical order (later files override earlier ones). */
export function aptOption(fs: RootFs, option: string): { value: string; at: string } | undefined {
  let found: { value: string; at: string } | undefined;
  const escaped = option.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/::/g, '::');
  const pattern = new RegExp(`^\\s*${escaped}\\s+"([^"]*)"\\s*;`, 'i');
  for (const file of [
    ...(fs.list(APT_CONF_DIR) ?? []).map((f) => `${APT_CONF_DIR}/${f}`),
    '/etc/apt/apt.conf',
  ]) {
    (fs.readIfExists(file) ?? '').split('\n').forEach((line, i) => {
      const m = pattern.exec(line);
      if (m !== null) found = { value: m[1] ?? '', at: `${file}:${i + 1}` };
    });
  }
  return found;
}

/** `key = value` in an INI section (dnf automatic.conf, yum-cron.conf). */
export function iniValue(
  text: string,
  section: string,
  key: string,
): { value: string; line: number } | undefined {
  let current = '';
  let found: { value: string; line: number } | undefined;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    const header = /^\[(.+)\]$/.exec(line);
    if (header !== null) {
      current = header[1]?.trim() ?? '';
      return;
    }
    const kv = /^([A-Za-z0-9_]+)\s*=\s*(.*)$/.exec(line);
    if (kv !== null && current === section && kv[1] === key)
      found = { value: kv[2]?.trim() ?? '', line: i + 1 };
  });
  return found;
}

function mtime(fs: RootFs, path: string): string | undefined {
  const stat = fs.stat(path);
  return stat.ok ? stat.stats.mtime.toISOString() : undefined;
}

/** Timestamp of the last line of unattended-upgrades.log ("2026-11-30 06:12:01,123 INFO ..."). */
function lastLogTime(text: string): string | undefined {
  const lines = text.trimEnd().split('\n').reverse();
  for (const line of lines) {
    const m = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})/.exec(line);
    if (m !== null) return `${m[1]}T${m[2]}Z`;
  }
  return undefined;
}

const truthy = (v: string): boolean => /^(1|yes|true|on|always)$/i.test(v.trim());

export function readAutoUpdates(
  fs: RootFs,
  units: readonly Unit[] | undefined,
  osId: string | undefined,
): AutoUpdates {
  const enabled = (name: string): Unit | undefined => units?.find((u) => u.name === name);

  if (fs.exists('/usr/bin/unattended-upgrade') || fs.exists('/etc/apt/apt.conf.d/50unattended-upgrades')) {
    const option = aptOption(fs, 'APT::Periodic::Unattended-Upgrade');
    const lists = aptOption(fs, 'APT::Periodic::Update-Package-Lists');
    const timer = enabled('apt-daily-upgrade.timer');
    const evidence = [
      ...(option === undefined ? [] : [`${option.at}: APT::Periodic::Unattended-Upgrade "${option.value}"`]),
      ...(lists === undefined ? [] : [`${lists.at}: APT::Periodic::Update-Package-Lists "${lists.value}"`]),
      ...(timer === undefined ? [] : [timer.source]),
    ];
    const stamp = '/var/lib/apt/periodic/unattended-upgrades-stamp';
    const log = '/var/log/unattended-upgrades/unattended-upgrades.log';
    const logText = fs.readIfExists(log);
    const fromLog = logText === undefined ? undefined : lastLogTime(logText);
    const stampTime = mtime(fs, stamp);
    const lastRun = stampTime ?? fromLog;
    const listsStamp = '/var/lib/apt/periodic/update-success-stamp';
    const listsUpdated = mtime(fs, listsStamp);
    return {
      mechanism: 'unattended-upgrades',
      applies:
        option !== undefined &&
        option.value !== '0' &&
        option.value !== '' &&
        fs.exists('/usr/bin/unattended-upgrade'),
      evidence,
      ...(lastRun === undefined ? {} : { lastRun, lastRunSource: stampTime === undefined ? log : stamp }),
      ...(listsUpdated === undefined ? {} : { listsUpdated, listsSource: listsStamp }),
    };
  }

  const dnfConf = fs.readIfExists('/etc/dnf/automatic.conf');
  if (dnfConf !== undefined) {
    const apply = iniValue(dnfConf, 'commands', 'apply_updates');
    const install = enabled('dnf-automatic-install.timer');
    const timer = install ?? enabled('dnf-automatic.timer');
    const evidence = [
      ...(apply === undefined
        ? []
        : [`/etc/dnf/automatic.conf:${apply.line}: apply_updates = ${apply.value}`]),
      ...(timer === undefined ? [] : [timer.source]),
    ];
    const stampName = timer?.name ?? 'dnf-automatic.timer';
    const stamp = `/var/lib/systemd/timers/stamp-${stampName}`;
    const lastRun = mtime(fs, stamp);
    return {
      mechanism: 'dnf-automatic',
      applies: timer !== undefined && (install !== undefined || (apply !== undefined && truthy(apply.value))),
      evidence,
      ...(lastRun === undefined ? {} : { lastRun, lastRunSource: stamp }),
    };
  }

  const yumCron = fs.readIfExists('/etc/yum/yum-cron.conf');
  if (yumCron !== undefined) {
    const apply = iniValue(yumCron, 'commands', 'apply_updates');
    const service = enabled('yum-cron.service');
    return {
      mechanism: 'yum-cron',
      applies: service !== undefined && apply !== undefined && truthy(apply.value),
      evidence: [
        ...(apply === undefined
          ? []
          : [`/etc/yum/yum-cron.conf:${apply.line}: apply_updates = ${apply.value}`]),
        ...(service === undefined ? [] : [service.source]),
      ],
    };
  }

  if (osId === 'flatcar') {
    const conf = fs.readIfExists('/etc/flatcar/update.conf') ?? '';
    const disabled = /^\s*SERVER\s*=\s*disabled\s*$/im.test(conf);
    const masked = fs.readlink('/etc/systemd/system/update-engine.service') === '/dev/null';
    return {
      mechanism: 'flatcar-update-engine',
      applies: !disabled && !masked,
      evidence: [
        ...(disabled ? ['/etc/flatcar/update.conf: SERVER=disabled'] : []),
        ...(masked ? ['/etc/systemd/system/update-engine.service -> /dev/null (masked)'] : []),
        ...(!disabled && !masked ? ['update-engine.service (not masked, update server not disabled)'] : []),
      ],
    };
  }
  return { mechanism: 'none', applies: false, evidence: [] };
}
