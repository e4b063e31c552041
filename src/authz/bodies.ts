// Reads the request bodies whose content decides an authorization (container create, exec create, volume create)
// into plain facts, decoding them as dockerd 20.10 does: runconfig.ContainerConfigWrapper with the deprecated
// top-level HostConfig fields (moby runconfig/config_unix.go getHostConfig), types.ExecConfig, and
// volume.VolumeCreateBody, all through Go encoding/json semantics (go-json.ts).
import {
  asBool,
  asString,
  asStringList,
  asStringMap,
  goAny,
  goBool,
  goDecode,
  goInt,
  goMap,
  goPtr,
  goSlice,
  goStrSlice,
  goString,
  goStruct,
  isStruct,
  sliceItems,
  structField,
  type GoType,
  type GoValue,
  type JsonNode,
} from './go-json.js';

// container.Config (api/types/container/config.go)
const CONFIG_FIELDS: (readonly [string, GoType])[] = [
  ['Hostname', goString],
  ['Domainname', goString],
  ['User', goString],
  ['AttachStdin', goBool],
  ['AttachStdout', goBool],
  ['AttachStderr', goBool],
  ['ExposedPorts', goAny],
  ['Tty', goBool],
  ['OpenStdin', goBool],
  ['StdinOnce', goBool],
  ['Env', goSlice(goString)],
  ['Cmd', goStrSlice],
  ['Healthcheck', goAny],
  ['ArgsEscaped', goBool],
  ['Image', goString],
  ['Volumes', goAny],
  ['WorkingDir', goString],
  ['Entrypoint', goStrSlice],
  ['NetworkDisabled', goBool],
  ['MacAddress', goString],
  ['OnBuild', goAny],
  ['Labels', goAny],
  ['StopSignal', goString],
  ['StopTimeout', goAny],
  ['Shell', goStrSlice],
];

const DRIVER_CONFIG = goStruct('mount.Driver', [
  ['Name', goString],
  ['Options', goMap(goString)],
]);

const MOUNT = goStruct('mount.Mount', [
  ['Type', goString],
  ['Source', goString],
  ['Target', goString],
  ['ReadOnly', goBool],
  ['Consistency', goString],
  [
    'BindOptions',
    goPtr(
      goStruct('mount.BindOptions', [
        ['Propagation', goString],
        ['NonRecursive', goBool],
      ]),
    ),
  ],
  [
    'VolumeOptions',
    goPtr(
      goStruct('mount.VolumeOptions', [
        ['NoCopy', goBool],
        ['Labels', goAny],
        ['DriverConfig', goPtr(DRIVER_CONFIG)],
      ]),
    ),
  ],
  ['TmpfsOptions', goAny],
]);

const DEVICE = goStruct('container.DeviceMapping', [
  ['PathOnHost', goString],
  ['PathInContainer', goString],
  ['CgroupPermissions', goString],
]);

// container.Resources, embedded in HostConfig: fields bulkhead checks are typed, the rest accepted as they come
const RESOURCES_FIELDS: (readonly [string, GoType])[] = [
  ['CgroupParent', goString],
  ['Devices', goSlice(DEVICE)],
  ['DeviceCgroupRules', goSlice(goString)],
  ['DeviceRequests', goSlice(goAny)],
  ['Memory', goInt],
  ['MemorySwap', goInt],
  ['CpuShares', goInt],
  ['CpusetCpus', goString],
  ...[
    'NanoCpus',
    'BlkioWeight',
    'BlkioWeightDevice',
    'BlkioDeviceReadBps',
    'BlkioDeviceWriteBps',
    'BlkioDeviceReadIOps',
    'BlkioDeviceWriteIOps',
    'CpuPeriod',
    'CpuQuota',
    'CpuRealtimePeriod',
    'CpuRealtimeRuntime',
    'CpusetMems',
    'KernelMemory',
    'KernelMemoryTCP',
    'MemoryReservation',
    'MemorySwappiness',
    'OomKillDisable',
    'PidsLimit',
    'Ulimits',
    'CpuCount',
    'CpuPercent',
    'IOMaximumIOps',
    'IOMaximumBandwidth',
  ].map((name) => [name, goAny] as const),
];

// container.HostConfig (api/types/container/host_config.go)
const HOST_CONFIG_FIELDS: (readonly [string, GoType])[] = [
  ['Binds', goSlice(goString)],
  ['ContainerIDFile', goString],
  ['LogConfig', goAny],
  ['NetworkMode', goString],
  ['PortBindings', goAny],
  ['RestartPolicy', goAny],
  ['AutoRemove', goBool],
  ['VolumeDriver', goString],
  ['VolumesFrom', goSlice(goString)],
  ['CapAdd', goStrSlice],
  ['CapDrop', goStrSlice],
  ['CgroupnsMode', goString],
  ['Dns', goAny],
  ['DnsOptions', goAny],
  ['DnsSearch', goAny],
  ['ExtraHosts', goAny],
  ['GroupAdd', goAny],
  ['IpcMode', goString],
  ['Cgroup', goString],
  ['Links', goAny],
  ['OomScoreAdj', goInt],
  ['PidMode', goString],
  ['Privileged', goBool],
  ['PublishAllPorts', goBool],
  ['ReadonlyRootfs', goBool],
  ['SecurityOpt', goSlice(goString)],
  ['StorageOpt', goAny],
  ['Tmpfs', goAny],
  ['UTSMode', goString],
  ['UsernsMode', goString],
  ['ShmSize', goAny],
  ['Sysctls', goAny],
  ['Runtime', goString],
  ['ConsoleSize', goAny],
  ['Isolation', goString],
  ['Mounts', goSlice(MOUNT)],
  ['MaskedPaths', goSlice(goString)],
  ['ReadonlyPaths', goSlice(goString)],
  ['Init', goAny],
  ...RESOURCES_FIELDS,
];

const HOST_CONFIG = goStruct('container.HostConfig', HOST_CONFIG_FIELDS);

/** ContainerConfigWrapper: Config and the deprecated HostConfig are embedded, so their fields sit at the top. */
const WRAPPER = goStruct('runconfig.ContainerConfigWrapper', [
  ['HostConfig', goPtr(HOST_CONFIG)],
  ['Cpuset', goString],
  ['NetworkingConfig', goAny],
  ...CONFIG_FIELDS,
  ...HOST_CONFIG_FIELDS,
]);

const HOST_FIELD_NAMES = new Set(HOST_CONFIG_FIELDS.map(([name]) => name));

export interface MountFact {
  /** Where it came from: "Binds[0]", "Mounts[1]", "Mounts[1].VolumeOptions", "DriverOpts". */
  readonly origin: string;
  readonly kind: 'bind' | 'volume' | 'other';
  /** Host path for binds, volume name for volumes. */
  readonly source: string;
  /** Mounted read-only (Binds mode "ro", Mounts[].ReadOnly). */
  readonly readOnly: boolean;
  /** Options for dockerd's `local` volume driver (a volume mount whose DriverConfig names local or no driver). */
  readonly localOptions?: ReadonlyMap<string, string>;
}

export interface ContainerCreateFacts {
  readonly image: string;
  readonly user: string;
  readonly privileged: boolean;
  readonly capAdd: readonly string[];
  readonly namespaces: readonly { readonly field: string; readonly value: string }[];
  readonly mounts: readonly MountFact[];
  readonly devices: readonly string[];
  readonly securityOpt: readonly string[];
  readonly maskedPathsCustom: boolean;
  readonly runtime: string;
  readonly volumesFrom: readonly string[];
  /** Volume drivers named by HostConfig.VolumeDriver and Mounts[].VolumeOptions.DriverConfig.Name. */
  readonly volumeDrivers: readonly string[];
  readonly cgroupParent: string;
  readonly oomScoreAdj: number;
  /** HostConfig given both at the top level (deprecated form) and under "HostConfig". */
  readonly ambiguousHostConfig: boolean;
}

export interface ExecCreateFacts {
  readonly user: string;
  readonly privileged: boolean;
  readonly tty: boolean;
}

export interface VolumeCreateFacts {
  readonly name: string;
  readonly driver: string;
  readonly driverOpts: ReadonlyMap<string, string>;
}

export type BodyDecodeResult<T> =
  { readonly ok: true; readonly facts: T } | { readonly ok: false; readonly error: string };

/** Splits a Binds entry "src:dst[:mode]" as the Linux volume parser does (volume/mounts/linux_parser.go). */
export function parseBind(spec: string): { source: string; isPath: boolean } {
  const parts = spec.split(':');
  const source = parts.length >= 2 ? (parts[0] ?? '') : '';
  return { source, isPath: source.startsWith('/') };
}

function mountFacts(host: GoValue | undefined): MountFact[] {
  const out: MountFact[] = [];
  asStringList(structField(host, 'Binds')).forEach((bind, i) => {
    const { source, isPath } = parseBind(bind);
    if (source === '') return;
    const readOnly = (bind.split(':')[2] ?? '').split(',').includes('ro');
    out.push({ origin: `Binds[${i}]`, kind: isPath ? 'bind' : 'volume', source, readOnly });
  });
  sliceItems(structField(host, 'Mounts')).forEach((mount, i) => {
    const type = asString(structField(mount, 'Type'));
    const source = asString(structField(mount, 'Source'));
    const readOnly = asBool(structField(mount, 'ReadOnly'));
    if (type === 'bind') out.push({ origin: `Mounts[${i}]`, kind: 'bind', source, readOnly });
    else if (type === 'volume') {
      const driverConfig = structField(structField(mount, 'VolumeOptions'), 'DriverConfig');
      const driver = asString(structField(driverConfig, 'Name'));
      const options = asStringMap(structField(driverConfig, 'Options'));
      // the volume service creates a volume with no driver name through the default driver, local
      out.push(
        (driver === '' || driver === 'local') && options.size > 0
          ? { origin: `Mounts[${i}]`, kind: 'volume', source, readOnly, localOptions: options }
          : { origin: `Mounts[${i}]`, kind: 'volume', source, readOnly },
      );
    } else if (type !== 'tmpfs')
      out.push({ origin: `Mounts[${i}]`, kind: 'other', source: `${type}:${source}`, readOnly });
  });
  return out;
}

/** Decodes a container create body; `node` is the first JSON value of the body. */
export function readContainerCreate(node: JsonNode): BodyDecodeResult<ContainerCreateFacts> {
  const errors: string[] = [];
  const seen = { topLevelHost: false };
  const value = goDecode(WRAPPER, node, null, {
    errors,
    onField: (struct, field) => {
      if (struct === 'runconfig.ContainerConfigWrapper' && HOST_FIELD_NAMES.has(field))
        seen.topLevelHost = true;
    },
  });
  if (errors.length > 0) return { ok: false, error: `dockerd would reject this body: ${errors[0] ?? ''}` };
  if (!isStruct(value)) return { ok: false, error: 'container create body is not a JSON object' };
  const inner = value.fields.get('HostConfig');
  const innerPresent = isStruct(inner);
  // getHostConfig(): the inner HostConfig wins when present; otherwise the top-level (deprecated) fields
  const host: GoValue | undefined = innerPresent ? inner : seen.topLevelHost ? value : undefined;
  return {
    ok: true,
    facts: hostFacts(host, {
      image: asString(value.fields.get('Image')),
      user: asString(value.fields.get('User')),
      ambiguous: innerPresent && seen.topLevelHost,
    }),
  };
}

function hostFacts(
  host: GoValue | undefined,
  extra: { image: string; user: string; ambiguous: boolean },
): ContainerCreateFacts {
  const namespaces = (
    ['PidMode', 'IpcMode', 'UTSMode', 'NetworkMode', 'UsernsMode', 'CgroupnsMode'] as const
  ).map((field) => ({ field, value: asString(structField(host, field)) }));
  const devices = [
    ...sliceItems(structField(host, 'Devices')).map(
      (d) => `device ${asString(structField(d, 'PathOnHost'))}`,
    ),
    ...asStringList(structField(host, 'DeviceCgroupRules')).map((r) => `device cgroup rule "${r}"`),
    ...sliceItems(structField(host, 'DeviceRequests')).map((_, i) => `device request #${i}`),
  ];
  const masked = structField(host, 'MaskedPaths');
  const readonlyPaths = structField(host, 'ReadonlyPaths');
  return {
    image: extra.image,
    user: extra.user,
    privileged: asBool(structField(host, 'Privileged')),
    capAdd: asStringList(structField(host, 'CapAdd')),
    namespaces,
    mounts: mountFacts(host),
    devices,
    securityOpt: asStringList(structField(host, 'SecurityOpt')),
    // a non-nil MaskedPaths/ReadonlyPaths replaces the daemon's defaults ([] unmasks /proc; systempaths=unconfined)
    maskedPathsCustom:
      (masked !== null && masked !== undefined) || (readonlyPaths !== null && readonlyPaths !== undefined),
    runtime: asString(structField(host, 'Runtime')),
    cgroupParent: asString(structField(host, 'CgroupParent')),
    oomScoreAdj: ((v) => (typeof v === 'number' ? v : 0))(structField(host, 'OomScoreAdj')),
    volumesFrom: asStringList(structField(host, 'VolumesFrom')),
    volumeDrivers: [
      asString(structField(host, 'VolumeDriver')),
      ...sliceItems(structField(host, 'Mounts')).map((m) =>
        asString(structField(structField(structField(m, 'VolumeOptions'), 'DriverConfig'), 'Name')),
      ),
    ].filter((d) => d !== ''),
    ambiguousHostConfig: extra.ambiguous,
  };
}

/**
 * Decodes a container start body as dockerd 20.10 does for API < 1.24 (api/server/router/container
 * postContainersStart -> runconfig decodeHostConfig): the body is a whole ContainerConfigWrapper, and the HostConfig
 * applied is getHostConfig()'s — the one nested under "HostConfig" (any letter case), else the deprecated top-level
 * fields. It is the create decoder: the Config fields are read and ignored, as dockerd ignores them at start.
 */
export function readStartHostConfig(node: JsonNode): BodyDecodeResult<ContainerCreateFacts> {
  // a JSON null decodes into nothing: getHostConfig() returns nil and start applies no HostConfig
  if (node.t === 'null')
    return { ok: true, facts: hostFacts(undefined, { image: '', user: '', ambiguous: false }) };
  return readContainerCreate(node);
}

const EXEC_CONFIG = goStruct('types.ExecConfig', [
  ['User', goString],
  ['Privileged', goBool],
  ['Tty', goBool],
  ['ConsoleSize', goAny],
  ['AttachStdin', goBool],
  ['AttachStderr', goBool],
  ['AttachStdout', goBool],
  ['Detach', goBool],
  ['DetachKeys', goString],
  ['Env', goSlice(goString)],
  ['WorkingDir', goString],
  ['Cmd', goStrSlice],
]);

export function readExecCreate(node: JsonNode): BodyDecodeResult<ExecCreateFacts> {
  const errors: string[] = [];
  const value = goDecode(EXEC_CONFIG, node, null, { errors });
  if (errors.length > 0) return { ok: false, error: `dockerd would reject this body: ${errors[0] ?? ''}` };
  if (!isStruct(value)) return { ok: false, error: 'exec create body is not a JSON object' };
  return {
    ok: true,
    facts: {
      user: asString(value.fields.get('User')),
      privileged: asBool(value.fields.get('Privileged')),
      tty: asBool(value.fields.get('Tty')),
    },
  };
}

const VOLUME_CREATE = goStruct('volume.VolumeCreateBody', [
  ['Driver', goString],
  ['DriverOpts', goMap(goString)],
  ['Labels', goAny],
  ['Name', goString],
]);

export function readVolumeCreate(node: JsonNode): BodyDecodeResult<VolumeCreateFacts> {
  const errors: string[] = [];
  const value = goDecode(VOLUME_CREATE, node, null, { errors });
  if (errors.length > 0) return { ok: false, error: `dockerd would reject this body: ${errors[0] ?? ''}` };
  if (!isStruct(value)) return { ok: false, error: 'volume create body is not a JSON object' };
  return {
    ok: true,
    facts: {
      name: asString(value.fields.get('Name')),
      driver: asString(value.fields.get('Driver')),
      driverOpts: asStringMap(value.fields.get('DriverOpts')),
    },
  };
}
