// dockerd's options: which flags are boolean, short aliases, the daemon.json key each flag maps to, and the
// effective value of a setting from flags and daemon.json together (dockerd 20.10 `dockerd --help` and
// docs.docker.com/reference/cli/dockerd/#daemon-configuration-file). dockerd refuses to start when a
// setting appears in both places, so a flag and a daemon.json key never legitimately disagree.
import type { HostFacts } from './host.js';

/** Flags that take no value (`--icc`, `--icc=false`); every other flag consumes the next argument. */
export const BOOLEAN_FLAGS: ReadonlySet<string> = new Set([
  'cri-containerd',
  'debug',
  'experimental',
  'help',
  'icc',
  'init',
  'ip-forward',
  'ip-masq',
  'ip6tables',
  'iptables',
  'ipv6',
  'live-restore',
  'no-new-privileges',
  'raw-logs',
  'rootless',
  'selinux-enabled',
  'tls',
  'tlsverify',
  'userland-proxy',
  'validate',
  'version',
]);

export const SHORT_FLAGS: Readonly<Record<string, string>> = {
  b: 'bridge',
  D: 'debug',
  G: 'group',
  H: 'host',
  l: 'log-level',
  p: 'pidfile',
  s: 'storage-driver',
  v: 'version',
};

/** Flags whose daemon.json key differs from the flag name (plural lists and maps). */
const CONFIG_KEY_OF_FLAG: Readonly<Record<string, string>> = {
  host: 'hosts',
  label: 'labels',
  'insecure-registry': 'insecure-registries',
  'registry-mirror': 'registry-mirrors',
  'authorization-plugin': 'authorization-plugins',
  'default-ulimit': 'default-ulimits',
  'storage-opt': 'storage-opts',
  'log-opt': 'log-opts',
  'exec-opt': 'exec-opts',
  'add-runtime': 'runtimes',
  'allow-nondistributable-artifacts': 'allow-nondistributable-artifacts',
  'node-generic-resource': 'node-generic-resources',
  'default-address-pool': 'default-address-pools',
};

export function configKeyOfFlag(flag: string): string {
  return CONFIG_KEY_OF_FLAG[flag] ?? flag;
}

export interface DockerdArgs {
  readonly flags: Record<string, string[]>;
  readonly unparsed: string[];
}

/** Parses dockerd's argv (without argv[0]) in both `--flag value` and `--flag=value` forms, and `-H value`. */
export function parseDockerdArgs(args: readonly string[]): DockerdArgs {
  const flags: Record<string, string[]> = {};
  const unparsed: string[] = [];
  const add = (name: string, value: string): void => {
    (flags[name] ??= []).push(value);
  };
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    let name: string;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq === -1 ? undefined : arg.slice(eq + 1);
    } else if (arg.startsWith('-') && arg.length >= 2) {
      const eq = arg.indexOf('=');
      const short = eq === -1 ? arg.slice(1) : arg.slice(1, eq);
      const long = SHORT_FLAGS[short];
      if (long === undefined) {
        unparsed.push(arg);
        continue;
      }
      name = long;
      inline = eq === -1 ? undefined : arg.slice(eq + 1);
    } else {
      unparsed.push(arg);
      continue;
    }
    if (BOOLEAN_FLAGS.has(name)) {
      add(name, inline ?? 'true');
    } else if (inline !== undefined) {
      add(name, inline);
    } else if (i + 1 < args.length) {
      i += 1;
      add(name, args[i] ?? '');
    } else {
      unparsed.push(arg);
    }
  }
  return { flags, unparsed };
}

export type SettingSource = 'flag' | 'daemon.json';

export interface EffectiveSetting {
  /** Flag values as strings (every occurrence), or the daemon.json value as parsed JSON. */
  readonly value: unknown;
  readonly source: SettingSource;
  /** "--icc=false" or "/etc/docker/daemon.json: icc". */
  readonly evidence: string;
}

/**
 * The daemon's setting for a flag name, from its command line first, else from the daemon.json it reads;
 * undefined when set in neither (dockerd's default applies) or when the daemon's flags are unknown.
 * List flags return string[]; boolean flags return booleans; other single flags return their last value.
 */
export function effectiveSetting(host: HostFacts, flag: string): EffectiveSetting | undefined {
  if (host.dockerd.state === 'known') {
    const values = host.dockerd.value.flags[flag];
    if (values !== undefined && values.length > 0) {
      const last = values[values.length - 1] ?? '';
      const value = BOOLEAN_FLAGS.has(flag)
        ? last !== 'false'
        : CONFIG_KEY_OF_FLAG[flag] === undefined
          ? last
          : values;
      return { value, source: 'flag', evidence: values.map((v) => `--${flag}=${v}`).join(' ') };
    }
  }
  if (host.daemonConfig.state === 'known') {
    const { config, path } = host.daemonConfig.value;
    const key = configKeyOfFlag(flag);
    if (config !== undefined && key in config) {
      return {
        value: config[key],
        source: 'daemon.json',
        evidence: `${path}: "${key}": ${JSON.stringify(config[key])}`,
      };
    }
  }
  return undefined;
}
