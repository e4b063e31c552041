// How dockerd spells its settings, for every stage that reads them (host facts, audit rules, the authz plugin's
// engine paths): its command line as spf13/pflag parses it (dockerd 20.10+ `dockerd --help`: `--flag value`,
// `--flag=value`, booleans that never take the next argument, shorthands `-H value`, `-Hvalue`, `-H=value` and
// chained booleans `-D`, parsing stops at `--`), the daemon.json key of each flag
// (docs.docker.com/reference/cli/dockerd/#daemon-configuration-file), the effective value of a setting from both
// places (dockerd refuses to start when a setting appears in both, so they never legitimately disagree), and the
// /info SecurityOptions strings. One parser: the authz plugin's own copy disagreed on `-Hvalue` and `--`.

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

/** Shorthands dockerd registers; `-g` is the old `--graph` (the data root before --data-root). */
export const SHORT_FLAGS: Readonly<Record<string, string>> = {
  b: 'bridge',
  D: 'debug',
  g: 'graph',
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
  /** Long flag name (no dashes) -> values in order; booleans as "true"/"false". */
  readonly flags: Record<string, string[]>;
  /** Arguments that are not flags, unknown shorthands, a value-taking flag at the end, everything after `--`. */
  readonly unparsed: string[];
}

/** Parses dockerd's argv (without argv[0]) as pflag does. */
export function parseDockerdArgs(args: readonly string[]): DockerdArgs {
  const flags: Record<string, string[]> = {};
  const unparsed: string[] = [];
  const add = (name: string, value: string): void => {
    (flags[name] ??= []).push(value);
  };
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    if (arg === '--') {
      unparsed.push(...args.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      const inline = eq === -1 ? undefined : arg.slice(eq + 1);
      if (BOOLEAN_FLAGS.has(name)) add(name, inline ?? 'true');
      else if (inline !== undefined) add(name, inline);
      else if (i + 1 < args.length) add(name, args[(i += 1)] ?? '');
      else unparsed.push(arg);
      continue;
    }
    if (!arg.startsWith('-') || arg.length < 2) {
      unparsed.push(arg);
      continue;
    }
    // shorthands, pflag's parseSingleShortArg: booleans chain ("-Dv"), a value flag takes the rest ("-Hvalue",
    // one "=" stripped) or the next argument
    for (let at = 1; at < arg.length; at += 1) {
      const name = SHORT_FLAGS[arg[at] ?? ''];
      if (name === undefined) {
        unparsed.push(arg);
        break;
      }
      const rest = arg.slice(at + 1);
      if (BOOLEAN_FLAGS.has(name)) {
        if (rest.startsWith('=')) {
          add(name, rest.slice(1));
          break;
        }
        add(name, 'true');
        continue;
      }
      if (rest !== '') add(name, rest.startsWith('=') ? rest.slice(1) : rest);
      else if (i + 1 < args.length) add(name, args[(i += 1)] ?? '');
      else unparsed.push(arg);
      break;
    }
  }
  return { flags, unparsed };
}

/** What a setting's effective value is read from: HostFacts fits this shape (facts/host.ts). */
export interface DockerdSettingSources {
  readonly dockerd:
    | {
        readonly state: 'known';
        readonly value: { readonly flags: Readonly<Record<string, readonly string[]>> };
      }
    | { readonly state: 'unknown' };
  readonly daemonConfig:
    | {
        readonly state: 'known';
        readonly value: {
          readonly path: string;
          readonly config?: Readonly<Record<string, unknown>> | undefined;
        };
      }
    | { readonly state: 'unknown' };
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
export function effectiveSetting(host: DockerdSettingSources, flag: string): EffectiveSetting | undefined {
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

/**
 * Splits the /info SecurityOptions strings ("name=seccomp,profile=default", or legacy bare "apparmor") into the
 * shape of facts/engine.ts's securityOptionSchema.
 */
export function parseSecurityOptions(
  entries: readonly string[],
): { name: string; options: Record<string, string> }[] {
  return entries.map((entry) => {
    if (!entry.startsWith('name=')) return { name: entry, options: {} };
    const options: Record<string, string> = {};
    let name = '';
    for (const part of entry.split(',')) {
      const eq = part.indexOf('=');
      const key = eq === -1 ? part : part.slice(0, eq);
      const value = eq === -1 ? '' : part.slice(eq + 1);
      if (key === 'name') name = value;
      else options[key] = value;
    }
    return { name, options };
  });
}
