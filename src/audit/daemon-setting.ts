// A dockerd setting as rules need it: set (flag or daemon.json, with the evidence), left at dockerd's default
// (both the command line and daemon.json were read and neither sets it), or unknown (one of them was not read).
import type { HostFacts } from '../facts/index.js';
import { effectiveSetting, type EffectiveSetting } from '../shared/dockerd.js';
import { ev, fail, pass, skip, type Verdict } from './check.js';
import type { Facts } from '../facts/index.js';
import type { Evidence } from '../shared/finding.js';

export type DaemonSetting =
  | { readonly state: 'set'; readonly setting: EffectiveSetting; readonly evidence: Evidence }
  | { readonly state: 'default'; readonly evidence: Evidence }
  | { readonly state: 'unknown'; readonly reason: string };

export function daemonSetting(host: HostFacts, flag: string, expected?: string): DaemonSetting {
  // without the daemon's command line, neither its flags nor which daemon.json it reads (--config-file) are
  // known: a value in the default daemon.json proves nothing about the daemon behind the socket
  if (host.dockerd.state === 'unknown') {
    const fromFile = effectiveSetting(host, flag);
    return {
      state: 'unknown',
      reason: `dockerd command line unknown: ${host.dockerd.reason}${fromFile === undefined ? '' : ` (${fromFile.evidence} may not be the file it reads)`}`,
    };
  }
  const setting = effectiveSetting(host, flag);
  if (setting !== undefined) {
    // effectiveSetting's evidence is "--icc=false" or "/etc/docker/daemon.json: \"icc\": false"
    const sep = setting.evidence.indexOf(': ');
    const evidence =
      setting.source === 'flag'
        ? ev('dockerd flags', setting.evidence, expected)
        : ev(setting.evidence.slice(0, sep), setting.evidence.slice(sep + 2), expected);
    return { state: 'set', setting, evidence };
  }
  if (host.daemonConfig.state === 'unknown')
    return { state: 'unknown', reason: `daemon.json unknown: ${host.daemonConfig.reason}` };
  const path = host.daemonConfig.value.path;
  return {
    state: 'default',
    evidence: ev(`dockerd flags + ${path}`, `--${flag} not set (default)`, expected),
  };
}

/** A setting's value as a boolean ("true"/"false" strings from flags, JSON booleans from daemon.json). */
export function asBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') return value === 'true' ? true : value === 'false' ? false : undefined;
  if (Array.isArray(value)) return asBoolean(value[value.length - 1]);
  return undefined;
}

/** fail when the daemon's storage driver (/info Driver, else --storage-driver) is `banned`. */
export function storageDriverVerdict(facts: Facts, banned: string): Verdict {
  if (facts.engine.state === 'known') {
    const driver = facts.engine.value.info.Driver ?? '';
    return driver === banned
      ? fail(`storage driver ${driver}`, ev('/info Driver', driver, `not ${banned}`))
      : pass(`storage driver ${driver}`, ev('/info Driver', driver));
  }
  const s = daemonSetting(facts.host, 'storage-driver', `not ${banned}`);
  if (s.state === 'unknown') return skip(s.reason);
  return s.state === 'set' && s.setting.value === banned
    ? fail(`storage driver ${banned}`, s.evidence)
    : pass(`storage driver is not ${banned}`, s.evidence);
}
