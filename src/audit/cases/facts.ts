// Builds typed Facts for rule tests: a clean, fully known host and engine by default, overridden per case.
import { parseSecurityOptions } from '../../shared/dockerd.js';
import {
  known,
  unknown,
  type ContainerInspect,
  type EngineFacts,
  type Facts,
  type HostConfig,
  type HostFacts,
  type ImageInspect,
} from '../../facts/index.js';

export const ENGINE_ADDRESS = 'unix:///run/docker.sock';

export function hostFacts(overrides: Partial<HostFacts> = {}): HostFacts {
  return {
    root: '/',
    hostname: known('test-host', '/etc/hostname'),
    kernel: {
      release: known('6.1.0-18-amd64', '/proc/sys/kernel/osrelease'),
      version: known('#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1', '/proc/sys/kernel/version'),
      installed: known(
        [{ name: 'linux-image-6.1.0-18-amd64', version: '6.1.76-1', release: '6.1.0-18-amd64' }],
        '/var/lib/dpkg/status',
      ),
      rebootRequired: known({ required: false, packages: [] }, '/var/run/reboot-required'),
      livepatch: known({ patches: [] }, '/sys/kernel/livepatch'),
      modules: known(['overlay', 'br_netfilter'], '/proc/modules'),
      cgroupVersion: known(2, '/sys/fs/cgroup'),
      seccomp: known(
        { available: true, actions: ['kill_process', 'errno'] },
        '/proc/sys/kernel/seccomp/actions_avail',
      ),
    },
    os: known({ id: 'debian', versionId: '12', versionCodename: 'bookworm', idLike: [] }, '/etc/os-release'),
    lsm: {
      active: known(['lockdown', 'capability', 'apparmor'], '/sys/kernel/security/lsm'),
      apparmor: known({ enabled: true, profiles: 12 }, '/sys/module/apparmor/parameters/enabled'),
      selinux: known({ mode: 'disabled' as const }, '/sys/fs/selinux'),
    },
    dockerd: known(
      {
        pid: 100,
        matchedBy: 'socket-inode' as const,
        argv: ['/usr/bin/dockerd', '-H', 'fd://'],
        flags: { host: ['fd://'] },
        unparsed: [],
        others: [],
      },
      '/proc/100/cmdline',
    ),
    daemonConfig: known(
      { path: '/etc/docker/daemon.json', fromFlag: false, exists: false },
      '/etc/docker/daemon.json',
    ),
    dockerGroup: known({ gid: 998, members: [] }, '/etc/group'),
    dockerPackages: known([], '/var/lib/dpkg/status'),
    dataRootMount: known(
      { dataRoot: '/var/lib/docker', mountPoint: '/var/lib/docker', fsType: 'ext4', device: '8:17' },
      '/proc/self/mountinfo',
    ),
    files: [],
    ...overrides,
  };
}

/** Host facts with dockerd flags and/or daemon.json content. */
export function daemonHost(flags: Record<string, string[]>, config?: Record<string, unknown>): HostFacts {
  return hostFacts({
    dockerd: known(
      { pid: 100, matchedBy: 'socket-inode', argv: ['/usr/bin/dockerd'], flags, unparsed: [], others: [] },
      '/proc/100/cmdline',
    ),
    daemonConfig: known(
      config === undefined
        ? { path: '/etc/docker/daemon.json', fromFlag: false, exists: false }
        : { path: '/etc/docker/daemon.json', fromFlag: false, exists: true, config },
      '/etc/docker/daemon.json',
    ),
  });
}

export function engineFacts(overrides: Partial<EngineFacts> & { security?: string[] } = {}): EngineFacts {
  const { security, ...rest } = overrides;
  const securityStrings = security ?? ['name=apparmor', 'name=seccomp,profile=default', 'name=cgroupns'];
  return {
    address: ENGINE_ADDRESS,
    version: {
      Version: '28.5.2',
      ApiVersion: '1.51',
      Components: [
        { Name: 'Engine', Version: '28.5.2' },
        { Name: 'containerd', Version: '1.7.29' },
        { Name: 'runc', Version: '1.3.3' },
      ],
    },
    info: {
      Driver: 'overlay2',
      LoggingDriver: 'json-file',
      DockerRootDir: '/var/lib/docker',
      DefaultRuntime: 'runc',
      Runtimes: { runc: { path: 'runc' } },
      SecurityOptions: securityStrings,
      LiveRestoreEnabled: false,
      Swarm: { LocalNodeState: 'inactive' },
    },
    securityOptions: parseSecurityOptions(securityStrings),
    containers: [],
    images: [],
    networks: [],
    apiCalls: 0,
    ...rest,
  };
}

let counter = 0;

/** A running container as `docker run -d --network none IMAGE` makes it, with HostConfig overrides. */
export function container(
  name: string,
  hostConfig: Partial<HostConfig> = {},
  rest: Partial<ContainerInspect> = {},
): ContainerInspect {
  counter += 1;
  const id = `${String(counter).padStart(4, '0')}${'c'.repeat(60)}`;
  return {
    Id: id,
    Name: `/${name}`,
    Path: 'sleep',
    Args: ['3600'],
    Image: 'sha256:' + 'a'.repeat(64),
    State: { Status: 'running', Running: true, Pid: 4242 },
    AppArmorProfile: 'docker-default',
    ProcessLabel: '',
    Config: { User: '', Image: 'busybox:latest', Labels: {} },
    HostConfig: {
      Privileged: false,
      CapAdd: null,
      CapDrop: null,
      SecurityOpt: null,
      NetworkMode: 'none',
      PidMode: '',
      IpcMode: 'private',
      UTSMode: '',
      UsernsMode: '',
      CgroupParent: '',
      Memory: 0,
      NanoCpus: 0,
      CpuShares: 0,
      CpuQuota: 0,
      PidsLimit: null,
      ReadonlyRootfs: false,
      RestartPolicy: { Name: 'no', MaximumRetryCount: 0 },
      Devices: [],
      PortBindings: {},
      Runtime: 'runc',
      ...hostConfig,
    },
    Mounts: [],
    NetworkSettings: { Ports: {}, Networks: { none: {} } },
    ...rest,
  };
}

/** A container with every wall up: user 1000, read-only, cap-drop ALL, limits, no-new-privileges, healthcheck. */
export function hardenedContainer(name = 'hardened'): ContainerInspect {
  return container(
    name,
    {
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      Memory: 64 * 1024 * 1024,
      NanoCpus: 500_000_000,
      PidsLimit: 64,
      ReadonlyRootfs: true,
    },
    {
      Config: {
        User: '1000:1000',
        Image: 'busybox:latest',
        Healthcheck: { Test: ['CMD', 'true'], Interval: 30_000_000_000 },
      },
      State: { Status: 'running', Running: true, Pid: 4243, Health: { Status: 'healthy' } },
    },
  );
}

export function image(id: string, overrides: Partial<ImageInspect> = {}): ImageInspect {
  return { Id: id, RepoTags: ['busybox:latest'], RepoDigests: [], Config: { User: '' }, ...overrides };
}

export interface FactsInput {
  readonly host?: HostFacts;
  /** `null` for an engine that could not be reached. */
  readonly engine?: EngineFacts | null;
  readonly containers?: readonly ContainerInspect[];
  readonly images?: readonly ImageInspect[];
}

export function buildFacts(input: FactsInput = {}): Facts {
  const engine =
    input.engine === null
      ? unknown<EngineFacts>('connect ENOENT /run/docker.sock')
      : known(
          {
            ...(input.engine ?? engineFacts()),
            ...(input.containers === undefined ? {} : { containers: [...input.containers] }),
            ...(input.images === undefined ? {} : { images: [...input.images] }),
          },
          ENGINE_ADDRESS,
        );
  return {
    schemaVersion: 1,
    collectedAt: '2026-01-01T00:00:00.000Z',
    host: input.host ?? hostFacts(),
    engine,
    diagnostics: [],
  };
}
