// HostFacts: what the host under a root path says about its kernel, LSMs, modules, the dockerd behind the socket
// in use, the daemon.json it reads, and the modes of Docker's files (CIS Docker Benchmark sections 1-3).
import { z } from 'zod';
import { hardeningFactsSchema } from './hardening.js';
import { knownSchema } from './known.js';

export const fileStatSchema = z.object({
  /** Path as the host sees it (without the --root prefix). */
  path: z.string(),
  /** Why this file matters: "docker socket", "daemon.json", "tlscacert", "data root", ... */
  role: z.string(),
  exists: z.boolean(),
  type: z.enum(['file', 'directory', 'socket', 'symlink', 'other']).optional(),
  /** Permission bits only (mode & 0o7777). Compare with masks, never as decimal numbers. */
  mode: z.number().int().optional(),
  /** Mode as an octal string ("0660") for evidence. */
  modeOctal: z.string().optional(),
  uid: z.number().int().optional(),
  gid: z.number().int().optional(),
  /** Names from the host's /etc/passwd and /etc/group; absent when the id has no entry there. */
  owner: z.string().optional(),
  group: z.string().optional(),
  error: z.string().optional(),
});
export type FileStat = z.infer<typeof fileStatSchema>;

export const osReleaseSchema = z.object({
  id: z.string(),
  versionId: z.string().optional(),
  versionCodename: z.string().optional(),
  prettyName: z.string().optional(),
  idLike: z.array(z.string()),
});

export const kernelPackageSchema = z.object({
  /** Package name ("linux-image-6.1.0-18-amd64") or the /boot or /lib/modules entry it was inferred from. */
  name: z.string(),
  /** Package version when read from a package database ("6.1.76-1"). */
  version: z.string().optional(),
  /** The kernel release this package installs ("6.1.0-18-amd64"), comparable with `uname -r`. */
  release: z.string(),
});

export const dockerdProcessSchema = z.object({
  pid: z.number().int(),
  /** How it was matched to the socket in use: by socket inode, by pidfile, or as the only dockerd running. */
  matchedBy: z.enum(['socket-inode', 'pidfile', 'only-dockerd', 'process-list']),
  argv: z.array(z.string()),
  /** Long flag name (no dashes) -> values in order; booleans as "true"/"false". Both --flag value and --flag=value. */
  flags: z.record(z.string(), z.array(z.string())),
  /** Arguments that were not flags, or unknown flags, kept for evidence. */
  unparsed: z.array(z.string()),
  /** Other dockerd processes on the host (several daemons): their pids. */
  others: z.array(z.number().int()),
});
export type DockerdProcess = z.infer<typeof dockerdProcessSchema>;

export const daemonConfigSchema = z.object({
  path: z.string(),
  /** Whether the path came from --config-file or is the default. */
  fromFlag: z.boolean(),
  exists: z.boolean(),
  /** The parsed JSON object (unknown keys kept as read); absent when the file is missing. */
  config: z.record(z.string(), z.unknown()).optional(),
});
export type DaemonConfigFact = z.infer<typeof daemonConfigSchema>;

export const hostFactsSchema = z.object({
  root: z.string(),
  hostname: knownSchema(z.string()),
  kernel: z.object({
    release: knownSchema(z.string()),
    version: knownSchema(z.string()),
    /** Installed kernels, newest last by file order; used to spot a pending reboot. */
    installed: knownSchema(z.array(kernelPackageSchema)),
    rebootRequired: knownSchema(z.object({ required: z.boolean(), packages: z.array(z.string()) })),
    livepatch: knownSchema(
      z.object({ patches: z.array(z.object({ name: z.string(), enabled: z.boolean() })) }),
    ),
    modules: knownSchema(z.array(z.string())),
    cgroupVersion: knownSchema(z.union([z.literal(1), z.literal(2)])),
    seccomp: knownSchema(z.object({ available: z.boolean(), actions: z.array(z.string()) })),
    /** /proc/version: "Linux version ... #1 SMP Debian 6.1.76-1 (2024-02-01)" (absent in older recorded facts). */
    procVersion: knownSchema(z.string()).optional(),
    /** /proc/version_signature (Ubuntu): "Ubuntu 5.15.0-91.101-generic 5.15.131". */
    versionSignature: knownSchema(z.string()).optional(),
    /** CVEs that loaded live patches say they fix, each with the source that says so. */
    livepatchCves: knownSchema(z.array(z.object({ cve: z.string(), source: z.string() }))).optional(),
  }),
  os: knownSchema(osReleaseSchema),
  lsm: z.object({
    active: knownSchema(z.array(z.string())),
    apparmor: knownSchema(z.object({ enabled: z.boolean(), profiles: z.number().int().optional() })),
    selinux: knownSchema(z.object({ mode: z.enum(['enforcing', 'permissive', 'disabled']) })),
  }),
  dockerd: knownSchema(dockerdProcessSchema),
  daemonConfig: knownSchema(daemonConfigSchema),
  dockerGroup: knownSchema(z.object({ gid: z.number().int(), members: z.array(z.string()) })),
  /** Docker-related packages from the host's package database (runc, containerd, docker). */
  dockerPackages: knownSchema(
    z.array(z.object({ name: z.string(), version: z.string(), source: z.string() })),
  ),
  /** Mount that holds the data root: its mount point and whether it is the root filesystem's. */
  dataRootMount: knownSchema(
    z.object({ dataRoot: z.string(), mountPoint: z.string(), fsType: z.string(), device: z.string() }),
  ),
  files: z.array(fileStatSchema),
  /** The host judged as a container host (services, listeners, patching, sshd, auditd, sysctls); absent in facts recorded before it existed. */
  hardening: hardeningFactsSchema.optional(),
});
export type HostFacts = z.infer<typeof hostFactsSchema>;
