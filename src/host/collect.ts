// Collects HostFacts from a root path ("/" or a --root fixture tree). Never throws for a missing or unreadable
// file: the fact becomes unknown with the reason, and malformed inputs also become diagnostics.
import { hostname } from 'node:os';
import type { EngineAddress } from '../engine/client.js';
import type { HostFacts } from '../facts/host.js';
import { known, unknown, type Known } from '../facts/known.js';
import type { Diagnostic } from '../shared/diagnostic.js';
import { effectiveSetting } from '../shared/dockerd.js';
import { BulkheadError, describeError } from '../shared/errors.js';
import { findGroup, readAccounts } from './accounts.js';
import { DEFAULT_DAEMON_JSON, findDockerd, readDaemonConfig } from './dockerd.js';
import { findUnitFile, statFiles, type FileToStat } from './file-stats.js';
import { DOCKER_PACKAGE_NAMES, readHostPackages } from './host-packages.js';
import { collectHardeningFacts } from './hardening/collect.js';
import { readKernelFacts } from './kernel.js';
import { readLsmFacts } from './lsm.js';
import { findMount } from './mounts.js';
import { readOsRelease } from './os-release.js';
import { checkRoot, RootFs } from './root-fs.js';

export const DEFAULT_DATA_ROOT = '/var/lib/docker';
const DEFAULT_SOCKET = '/var/run/docker.sock';

export interface HostCollectOptions {
  readonly root: string;
  /** The engine address in use, to find the daemon behind it. */
  readonly address?: EngineAddress | undefined;
  /** The data root the engine reports (GET /info DockerRootDir), used when flags and daemon.json are silent. */
  readonly engineDataRoot?: string | undefined;
}

export interface HostCollectResult {
  readonly facts: HostFacts;
  readonly diagnostics: Diagnostic[];
}

function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** containerd's gRPC socket: [grpc] address in /etc/containerd/config.toml, else the default. */
function containerdSocket(fs: RootFs): string {
  const config = fs.readIfExists('/etc/containerd/config.toml') ?? '';
  const grpc = /^\s*\[grpc\]\s*$([\s\S]*?)(?=^\s*\[|(?![\s\S]))/m.exec(config)?.[1] ?? '';
  return /^\s*address\s*=\s*["']([^"']+)["']/m.exec(grpc)?.[1] ?? '/run/containerd/containerd.sock';
}

export function collectHostFacts(options: HostCollectOptions): HostCollectResult {
  checkRoot(options.root);
  const fs = new RootFs(options.root);
  const diagnostics: Diagnostic[] = [];
  const accounts = readAccounts(fs);
  const packages = readHostPackages(fs);

  const osText = fs.readIfExists('/etc/os-release') ?? fs.readIfExists('/usr/lib/os-release');
  const osParsed = osText === undefined ? undefined : readOsRelease(osText);
  const os =
    osParsed === undefined
      ? unknown('no /etc/os-release or /usr/lib/os-release with an ID')
      : known(osParsed, '/etc/os-release');

  const hostnameFact: Known<string> =
    options.root === '/'
      ? known(hostname(), 'uname')
      : (() => {
          const text = fs.readIfExists('/etc/hostname')?.trim();
          return text === undefined || text === ''
            ? unknown<string>('no /etc/hostname under the root')
            : known(text, '/etc/hostname');
        })();

  const dockerd = findDockerd(fs, options.address);
  let daemonConfig: HostFacts['daemonConfig'];
  try {
    daemonConfig = readDaemonConfig(fs, dockerd);
  } catch (error) {
    const subject =
      error instanceof BulkheadError && error.subject !== undefined ? error.subject : DEFAULT_DAEMON_JSON;
    diagnostics.push({ level: 'error', subject, message: describeError(error) });
    daemonConfig = unknown(describeError(error).split('\n')[0] ?? 'malformed daemon.json');
  }

  const dockerGroupEntry = findGroup(accounts, 'docker');
  const dockerGroup: HostFacts['dockerGroup'] =
    dockerGroupEntry === undefined
      ? fs.exists('/etc/group')
        ? known({ gid: -1, members: [] }, '/etc/group (no docker group)')
        : unknown('/etc/group is not readable under the root')
      : known({ gid: dockerGroupEntry.gid, members: [...dockerGroupEntry.members] }, '/etc/group');

  const dockerPackages: HostFacts['dockerPackages'] =
    packages === undefined
      ? unknown('no dpkg or apk package database under the root')
      : known(
          packages
            .filter((p) => DOCKER_PACKAGE_NAMES.has(p.name))
            .map((p) => ({ name: p.name, version: p.version, source: p.source })),
          packages[0]?.source ?? 'package database',
        );

  const facts: HostFacts = {
    root: fs.root,
    hostname: hostnameFact,
    kernel: readKernelFacts(fs, packages),
    os,
    lsm: readLsmFacts(fs),
    dockerd,
    daemonConfig,
    dockerGroup,
    dockerPackages,
    dataRootMount: unknown('not yet read'),
    files: [],
    hardening: collectHardeningFacts(fs),
  };

  const setting = (flag: string): unknown => effectiveSetting(facts, flag)?.value;
  const dataRoot = stringsOf(setting('data-root'))[0] ?? options.engineDataRoot ?? DEFAULT_DATA_ROOT;
  const toStat: FileToStat[] = [];
  if (options.address?.kind === 'unix')
    toStat.push({ path: options.address.socketPath, role: 'docker socket in use' });
  for (const host of stringsOf(setting('host'))) {
    if (host.startsWith('unix://'))
      toStat.push({ path: host.slice('unix://'.length), role: 'docker socket' });
    if (host.startsWith('fd://')) toStat.push({ path: DEFAULT_SOCKET, role: 'docker socket' });
  }
  if (!toStat.some((f) => f.role.startsWith('docker socket')))
    toStat.push({ path: DEFAULT_SOCKET, role: 'docker socket' });
  toStat.push({
    path: daemonConfig.state === 'known' ? daemonConfig.value.path : DEFAULT_DAEMON_JSON,
    role: 'daemon.json',
  });
  toStat.push({ path: '/etc/docker', role: 'docker config directory' });
  toStat.push({ path: '/etc/docker/certs.d', role: 'registry certificate directory' });
  for (const registry of fs.list('/etc/docker/certs.d') ?? []) {
    for (const file of fs.list(`/etc/docker/certs.d/${registry}`) ?? []) {
      toStat.push({ path: `/etc/docker/certs.d/${registry}/${file}`, role: 'registry certificate' });
    }
  }
  toStat.push({ path: '/etc/default/docker', role: 'docker environment file' });
  toStat.push({ path: '/etc/sysconfig/docker', role: 'docker environment file' });
  for (const unit of ['docker.service', 'docker.socket', 'containerd.service']) {
    const found = findUnitFile(fs, unit);
    toStat.push({ path: found ?? `/lib/systemd/system/${unit}`, role: `${unit} unit file` });
  }
  toStat.push({ path: containerdSocket(fs), role: 'containerd socket' });
  for (const flag of ['tlscacert', 'tlscert', 'tlskey']) {
    const value = stringsOf(setting(flag))[0];
    if (value !== undefined) toStat.push({ path: value, role: flag });
  }
  toStat.push({ path: dataRoot, role: 'data root' });

  return {
    facts: { ...facts, dataRootMount: findMount(fs, dataRoot), files: statFiles(fs, toStat, accounts) },
    diagnostics,
  };
}
