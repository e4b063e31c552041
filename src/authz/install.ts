// Installation artefacts for the plugin: the legacy plugin spec file dockerd reads from /etc/docker/plugins
// (docs.docker.com/engine/extend/plugin_api "Plugin discovery"), a hardened systemd unit that starts the plugin
// before docker.service and reloads the policy on `systemctl reload` (SIGHUP), and the daemon.json key to merge
// (dockerd's `authorization-plugins`, shown merged with the file's current list; bulkhead never writes daemon.json).
// `--write` checks everything first (the binary is this bulkhead, the policy loads as `authz serve` loads it) and
// writes both files or neither: a plugin that does not start makes dockerd refuse every API call.
import { readFileSync } from 'node:fs';
import { errnoCode } from '../shared/errors.js';
import { verifyBulkheadCommand } from '../shared/self-binary.js';
import { execLine, parentDir, quoteWord, renderUnit, textValue, underHome } from '../shared/systemd-unit.js';
import { loadPolicy, type Policy } from './policy.js';

export interface InstallOptions {
  readonly name: string;
  readonly socket: string;
  readonly policy: string;
  /** The argv that starts bulkhead: [node, bin/bulkhead.js] (the running one) or [--bin PATH]. */
  readonly command: readonly string[];
  readonly decisionLog: string | undefined;
}

/** The .spec file: one line, the plugin's address. */
export function specFile(options: InstallOptions): string {
  return `unix://${options.socket}\n`;
}

export function systemdUnit(options: InstallOptions): string {
  const args = [...options.command, 'authz', 'serve', '--policy', options.policy, '--socket', options.socket];
  if (options.decisionLog !== undefined) args.push('--decision-log', options.decisionLog);
  const homeNeeded = [...options.command, options.policy].some(underHome);
  const writable = [parentDir(options.socket)];
  if (options.decisionLog !== undefined && options.decisionLog !== '-')
    writable.push(parentDir(options.decisionLog));
  return renderUnit([
    [
      'Unit',
      [
        ['Description', textValue(`bulkhead Docker authorization plugin (${options.name})`)],
        ['Before', 'docker.service'],
        ['After', 'local-fs.target'],
      ],
    ],
    [
      'Service',
      [
        ['Type', 'simple'],
        ['ExecStart', execLine(args)],
        ['ExecReload', '/bin/kill -HUP $MAINPID'],
        ['Restart', 'always'],
        ['RestartSec', '1'],
        // the plugin only needs its socket directory, the policy (read) and dockerd's socket (connect)
        ['NoNewPrivileges', 'yes'],
        ['ProtectSystem', 'strict'],
        // read-only rather than hidden when the binary or the policy lives under /home, /root or /run/user
        ['ProtectHome', homeNeeded ? 'read-only' : 'yes'],
        ['PrivateTmp', 'yes'],
        ['PrivateNetwork', 'no'],
        ['RestrictAddressFamilies', 'AF_UNIX'],
        ['CapabilityBoundingSet', ''],
        ['ReadWritePaths', writable.map((d) => quoteWord(d, 'a writable directory')).join(' ')],
      ],
    ],
    ['Install', [['WantedBy', 'multi-user.target docker.service']]],
  ]);
}

/** What daemon.json needs, against its current content. */
export interface DaemonJsonChange {
  readonly path: string;
  /** The key to merge, as JSON: {"authorization-plugins": [...the current list..., name]}. */
  readonly key: string;
  /** The whole file after the merge, when the current file could be read (or does not exist). */
  readonly merged: string | undefined;
  /** How the file stands: "missing", "listed" (nothing to change), "merge", or why it could not be read. */
  readonly state: 'missing' | 'listed' | 'merge' | { readonly problem: string };
}

/** `{ "authorization-plugins": ["a", "b"] }` on one line, as the docs write it. */
function keyText(plugins: readonly string[]): string {
  return `{ "authorization-plugins": [${plugins.map((p) => JSON.stringify(p)).join(', ')}] }`;
}

/** The `authorization-plugins` change for `name`, merged with the list the daemon.json at `path` already has. */
export function daemonJsonChange(path: string, name: string): DaemonJsonChange {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = errnoCode(error) ?? 'error';
    const key = keyText([name]);
    if (code === 'ENOENT')
      return {
        path,
        key,
        merged: `${JSON.stringify({ 'authorization-plugins': [name] }, null, 2)}\n`,
        state: 'missing',
      };
    return { path, key, merged: undefined, state: { problem: `cannot read it (${code})` } };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return {
      path,
      key: keyText([name]),
      merged: undefined,
      state: { problem: `it is not valid JSON (${error instanceof Error ? error.message : String(error)})` },
    };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return {
      path,
      key: keyText([name]),
      merged: undefined,
      state: { problem: 'it is not a JSON object' },
    };
  }
  const doc = parsed as Record<string, unknown>;
  const current = doc['authorization-plugins'];
  if (current !== undefined && !(Array.isArray(current) && current.every((p) => typeof p === 'string'))) {
    return {
      path,
      key: keyText([name]),
      merged: undefined,
      state: { problem: '"authorization-plugins" in it is not a list of names' },
    };
  }
  const list: string[] = current ?? [];
  const listed = list.includes(name);
  const plugins = listed ? list : [...list, name];
  return {
    path,
    key: keyText(plugins),
    merged: `${JSON.stringify({ ...doc, 'authorization-plugins': plugins }, null, 2)}\n`,
    state: listed ? 'listed' : 'merge',
  };
}

/** The daemon.json part of the output: the key to merge and the merged file, or why it cannot be shown. */
export function describeDaemonJsonChange(change: DaemonJsonChange): string {
  const head = `# ${change.path}`;
  if (change.state === 'listed')
    return `${head}: already lists the plugin in "authorization-plugins"; nothing to change\n`;
  if (typeof change.state === 'object') {
    return `${head}: ${change.state.problem}; merge this key by hand (bulkhead does not write daemon.json):\n${change.key}\n`;
  }
  if (change.state === 'missing')
    return `${head}: does not exist; create it with (bulkhead does not write daemon.json):\n${change.merged ?? ''}`;
  return `${head}: merge this key (bulkhead does not write daemon.json):\n${change.key}\n# ${change.path} after the merge:\n${change.merged ?? ''}`;
}

export interface CheckedInstall {
  readonly policy: Policy;
  readonly version: string;
}

/**
 * Everything `--write` must know before it writes: the command is this bulkhead, the policy loads with the loader
 * `authz serve` uses (errors as file:line:column). Throws the first problem; writes nothing.
 */
export function checkInstall(options: InstallOptions, expectedVersion: string): CheckedInstall {
  verifyBulkheadCommand(options.command, expectedVersion);
  const policy = loadPolicy(options.policy);
  return { policy, version: expectedVersion };
}
