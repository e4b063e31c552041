// EngineFacts: what the Docker Engine API says (GET /version, /info, /containers/json + one inspect per container,
// /images/json + one inspect per image), validated with zod; unknown keys are kept so `info --json` shows all.
// Field names follow the Engine API v1.41 reference (docs.docker.com/engine/api/v1.41).
import { z } from 'zod';

const opt = <T extends z.ZodType>(schema: T) => schema.nullable().optional();
const strings = opt(z.array(z.string()));

export const mountSchema = z.looseObject({
  Type: opt(z.string()),
  Name: opt(z.string()),
  Source: opt(z.string()),
  Destination: opt(z.string()),
  Driver: opt(z.string()),
  Mode: opt(z.string()),
  RW: opt(z.boolean()),
  Propagation: opt(z.string()),
});
export type ContainerMount = z.infer<typeof mountSchema>;

/** HostConfig.Mounts entries (the --mount form), distinct from the resolved top-level Mounts. */
export const mountSpecSchema = z.looseObject({
  Type: opt(z.string()),
  Source: opt(z.string()),
  Target: opt(z.string()),
  ReadOnly: opt(z.boolean()),
  BindOptions: opt(z.looseObject({ Propagation: opt(z.string()) })),
});

const healthcheckSchema = z.looseObject({
  Test: strings,
  Interval: opt(z.number()),
  Timeout: opt(z.number()),
  Retries: opt(z.number()),
  StartPeriod: opt(z.number()),
});

const containerConfigSchema = z.looseObject({
  Hostname: opt(z.string()),
  User: opt(z.string()),
  Env: strings,
  Cmd: strings,
  Entrypoint: strings,
  Image: opt(z.string()),
  Labels: opt(z.record(z.string(), z.string())),
  ExposedPorts: opt(z.record(z.string(), z.unknown())),
  Healthcheck: opt(healthcheckSchema),
});

const portBindingSchema = z.looseObject({ HostIp: opt(z.string()), HostPort: opt(z.string()) });

export const hostConfigSchema = z.looseObject({
  Privileged: opt(z.boolean()),
  CapAdd: strings,
  CapDrop: strings,
  SecurityOpt: strings,
  PidMode: opt(z.string()),
  IpcMode: opt(z.string()),
  UTSMode: opt(z.string()),
  UsernsMode: opt(z.string()),
  NetworkMode: opt(z.string()),
  CgroupnsMode: opt(z.string()),
  CgroupParent: opt(z.string()),
  Memory: opt(z.number()),
  MemorySwap: opt(z.number()),
  MemoryReservation: opt(z.number()),
  NanoCpus: opt(z.number()),
  CpuShares: opt(z.number()),
  CpuQuota: opt(z.number()),
  CpuPeriod: opt(z.number()),
  CpusetCpus: opt(z.string()),
  PidsLimit: opt(z.number()),
  ReadonlyRootfs: opt(z.boolean()),
  RestartPolicy: opt(z.looseObject({ Name: opt(z.string()), MaximumRetryCount: opt(z.number()) })),
  Devices: opt(
    z.array(
      z.looseObject({
        PathOnHost: opt(z.string()),
        PathInContainer: opt(z.string()),
        CgroupPermissions: opt(z.string()),
      }),
    ),
  ),
  DeviceCgroupRules: strings,
  Binds: strings,
  Mounts: opt(z.array(mountSpecSchema)),
  PortBindings: opt(z.record(z.string(), opt(z.array(portBindingSchema)))),
  Runtime: opt(z.string()),
  Ulimits: opt(
    z.array(z.looseObject({ Name: opt(z.string()), Soft: opt(z.number()), Hard: opt(z.number()) })),
  ),
  OomKillDisable: opt(z.boolean()),
  Sysctls: opt(z.record(z.string(), z.string())),
  Init: opt(z.boolean()),
  Tmpfs: opt(z.record(z.string(), z.string())),
  MaskedPaths: strings,
  ReadonlyPaths: strings,
  LogConfig: opt(z.looseObject({ Type: opt(z.string()), Config: opt(z.record(z.string(), z.string())) })),
});
export type HostConfig = z.infer<typeof hostConfigSchema>;

export const containerInspectSchema = z.looseObject({
  Id: z.string(),
  Name: z.string(),
  Created: opt(z.string()),
  Path: opt(z.string()),
  Args: strings,
  Image: opt(z.string()),
  State: opt(
    z.looseObject({
      Status: opt(z.string()),
      Running: opt(z.boolean()),
      Pid: opt(z.number()),
      Health: opt(z.looseObject({ Status: opt(z.string()) })),
    }),
  ),
  RestartCount: opt(z.number()),
  Driver: opt(z.string()),
  Platform: opt(z.string()),
  AppArmorProfile: opt(z.string()),
  ProcessLabel: opt(z.string()),
  MountLabel: opt(z.string()),
  Config: opt(containerConfigSchema),
  HostConfig: opt(hostConfigSchema),
  Mounts: opt(z.array(mountSchema)),
  NetworkSettings: opt(
    z.looseObject({
      Ports: opt(z.record(z.string(), opt(z.array(portBindingSchema)))),
      Networks: opt(z.record(z.string(), z.unknown())),
    }),
  ),
});
export type ContainerInspect = z.infer<typeof containerInspectSchema>;

export const imageInspectSchema = z.looseObject({
  Id: z.string(),
  RepoTags: strings,
  RepoDigests: strings,
  Created: opt(z.string()),
  Os: opt(z.string()),
  Architecture: opt(z.string()),
  Size: opt(z.number()),
  Config: opt(containerConfigSchema),
  RootFS: opt(z.looseObject({ Type: opt(z.string()), Layers: strings })),
});
export type ImageInspect = z.infer<typeof imageInspectSchema>;

export const versionSchema = z.looseObject({
  Version: z.string(),
  ApiVersion: z.string(),
  MinAPIVersion: opt(z.string()),
  GitCommit: opt(z.string()),
  GoVersion: opt(z.string()),
  Os: opt(z.string()),
  Arch: opt(z.string()),
  KernelVersion: opt(z.string()),
  Experimental: opt(z.boolean()),
  Components: opt(
    z.array(
      z.looseObject({
        Name: z.string(),
        Version: z.string(),
        Details: opt(z.record(z.string(), z.unknown())),
      }),
    ),
  ),
});
export type EngineVersion = z.infer<typeof versionSchema>;

export const infoSchema = z.looseObject({
  ID: opt(z.string()),
  Name: opt(z.string()),
  ServerVersion: opt(z.string()),
  OperatingSystem: opt(z.string()),
  OSType: opt(z.string()),
  KernelVersion: opt(z.string()),
  Architecture: opt(z.string()),
  Driver: opt(z.string()),
  LoggingDriver: opt(z.string()),
  CgroupDriver: opt(z.string()),
  CgroupVersion: opt(z.string()),
  DockerRootDir: opt(z.string()),
  Runtimes: opt(z.record(z.string(), z.looseObject({ path: opt(z.string()), runtimeArgs: strings }))),
  DefaultRuntime: opt(z.string()),
  SecurityOptions: strings,
  Plugins: opt(z.looseObject({ Volume: strings, Network: strings, Authorization: strings, Log: strings })),
  LiveRestoreEnabled: opt(z.boolean()),
  ExperimentalBuild: opt(z.boolean()),
  RegistryConfig: opt(
    z.looseObject({
      InsecureRegistryCIDRs: strings,
      IndexConfigs: opt(
        z.record(
          z.string(),
          z.looseObject({ Name: opt(z.string()), Secure: opt(z.boolean()), Mirrors: strings }),
        ),
      ),
      Mirrors: strings,
    }),
  ),
  Warnings: strings,
  Containers: opt(z.number()),
  ContainersRunning: opt(z.number()),
  Images: opt(z.number()),
  Swarm: opt(z.looseObject({ LocalNodeState: opt(z.string()) })),
  ContainerdCommit: opt(z.looseObject({ ID: opt(z.string()) })),
  RuncCommit: opt(z.looseObject({ ID: opt(z.string()) })),
  InitCommit: opt(z.looseObject({ ID: opt(z.string()) })),
});
export type EngineInfo = z.infer<typeof infoSchema>;

export const networkSchema = z.looseObject({
  Name: z.string(),
  Id: z.string(),
  Driver: opt(z.string()),
  Scope: opt(z.string()),
  Internal: opt(z.boolean()),
  EnableIPv6: opt(z.boolean()),
  /** Driver options, e.g. com.docker.network.bridge.enable_icc for the default bridge (CIS 2.2). */
  Options: opt(z.record(z.string(), z.string())),
});
export type NetworkSummary = z.infer<typeof networkSchema>;

/** One SecurityOptions entry ("name=seccomp,profile=default") split into its name and options. */
export const securityOptionSchema = z.object({ name: z.string(), options: z.record(z.string(), z.string()) });
export type SecurityOption = z.infer<typeof securityOptionSchema>;

export const engineFactsSchema = z.object({
  /** The address actually used (DOCKER_HOST form). */
  address: z.string(),
  version: versionSchema,
  info: infoSchema,
  securityOptions: z.array(securityOptionSchema),
  containers: z.array(containerInspectSchema),
  images: z.array(imageInspectSchema),
  networks: z.array(networkSchema),
  /** Engine API requests made to collect these facts (the audit bench's budget: at most 2 per container). */
  apiCalls: z.number().int(),
});
export type EngineFacts = z.infer<typeof engineFactsSchema>;
