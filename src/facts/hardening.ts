// HardeningFacts: the host judged as a container host (issue 16) — what OS it is, what listens, which services are
// enabled and running, how it patches itself, sshd's effective configuration, account password states, auditd
// rules, journald storage, time sync and the kernel sysctls that blunt container escapes.
import { z } from 'zod';
import { knownSchema } from './known.js';

/** Where a value was read: a file and 1-based line (sshd_config, audit rules), or a file alone. */
export const sourceLineSchema = z.object({ file: z.string(), line: z.number().int().optional() });
export type SourceLine = z.infer<typeof sourceLineSchema>;

export const containerOsSchema = z.object({
  /** os-release ID (and VARIANT_ID where it decides: Fedora CoreOS is ID=fedora VARIANT_ID=coreos). */
  id: z.string(),
  variantId: z.string().optional(),
  name: z.string(),
  /** The container-optimised distribution it is, or undefined for a general-purpose one. */
  containerOptimized: z
    .enum(['bottlerocket', 'flatcar', 'fedora-coreos', 'talos', 'rancheros', 'elemental', 'ubuntu-core'])
    .optional(),
});
export type ContainerOs = z.infer<typeof containerOsSchema>;

export const listenerSchema = z.object({
  protocol: z.enum(['tcp', 'tcp6', 'udp', 'udp6']),
  /** Local address as text ("0.0.0.0", "::", "127.0.0.1", "::ffff:10.0.0.1"). */
  address: z.string(),
  port: z.number().int(),
  /** True for 0.0.0.0 and :: (every interface). */
  wildcard: z.boolean(),
  loopback: z.boolean(),
  inode: z.number().int(),
  /** The processes holding the socket (several after fork), from /proc/<pid>/fd links. */
  processes: z.array(z.object({ pid: z.number().int(), comm: z.string(), exe: z.string().optional() })),
  /** The /proc/net table it was read from. */
  table: z.string(),
});
export type Listener = z.infer<typeof listenerSchema>;

export const unitSchema = z.object({
  /** Unit name ("cups.service", "avahi-daemon.socket"). */
  name: z.string(),
  /** Enabled: a symlink in a *.wants/ or *.requires/ directory under /etc/systemd/system (or the unit is linked there). */
  enabled: z.boolean(),
  /** The *.wants link or unit file that proves it. */
  source: z.string(),
});
export type Unit = z.infer<typeof unitSchema>;

export const processSchema = z.object({
  pid: z.number().int(),
  comm: z.string(),
  exe: z.string().optional(),
});
export type HostProcess = z.infer<typeof processSchema>;

export const autoUpdatesSchema = z.object({
  /** The mechanism found: unattended-upgrades, dnf-automatic, yum-cron, or a container OS's own updater. */
  mechanism: z.enum(['unattended-upgrades', 'dnf-automatic', 'yum-cron', 'flatcar-update-engine', 'none']),
  /** Configured to install (security) updates by itself, not only download or notify. */
  applies: z.boolean(),
  /** What proves it (config file:line, timer link). */
  evidence: z.array(z.string()),
  /** Last time it ran (ISO), from its stamp file or log, when known. */
  lastRun: z.string().optional(),
  lastRunSource: z.string().optional(),
  /** When the package lists were last refreshed (ISO), when known. */
  listsUpdated: z.string().optional(),
  listsSource: z.string().optional(),
});
export type AutoUpdates = z.infer<typeof autoUpdatesSchema>;

/** One sshd setting as sshd resolves it: the first value wins (sshd_config(5)), Match blocks kept apart. */
export const sshdSettingSchema = z.object({
  value: z.string(),
  at: sourceLineSchema,
  /** true when the value is sshd's compiled-in default (no line sets it). */
  isDefault: z.boolean(),
});
export const sshdConfigSchema = z.object({
  /** Global settings (lower-case keyword -> setting). */
  global: z.record(z.string(), sshdSettingSchema),
  /** Match blocks in file order, each with its criteria and the settings it sets. */
  matches: z.array(
    z.object({
      criteria: z.string(),
      at: sourceLineSchema,
      settings: z.record(z.string(), sshdSettingSchema),
    }),
  ),
  /** Files read, in order (the main file, then Includes as sshd expands them). */
  files: z.array(z.string()),
});
export type SshdConfig = z.infer<typeof sshdConfigSchema>;

export const accountStatusSchema = z.object({
  user: z.string(),
  /** Only the password field's state is kept, never the hash. */
  status: z.enum(['empty', 'locked', 'password']),
  line: z.number().int(),
  /** Login shell from /etc/passwd, when the account is there. */
  shell: z.string().optional(),
});
export type AccountStatus = z.infer<typeof accountStatusSchema>;

export const auditWatchSchema = z.object({
  /** The watched path (-w PATH, or -F path=/dir=). */
  path: z.string(),
  permissions: z.string().optional(),
  key: z.string().optional(),
  at: sourceLineSchema,
});
export type AuditWatch = z.infer<typeof auditWatchSchema>;

/** CIS Docker Benchmark v1.6.0 1.1.3-1.1.18: item -> the paths it asks auditd to watch (any listed location). */
export const DOCKER_AUDIT_PATHS: readonly { readonly cis: string; readonly paths: readonly string[] }[] = [
  { cis: '1.1.3', paths: ['/usr/bin/dockerd'] },
  { cis: '1.1.4', paths: ['/run/containerd'] },
  { cis: '1.1.5', paths: ['/var/lib/docker'] },
  { cis: '1.1.6', paths: ['/etc/docker'] },
  { cis: '1.1.7', paths: ['/lib/systemd/system/docker.service', '/usr/lib/systemd/system/docker.service'] },
  { cis: '1.1.8', paths: ['/run/containerd/containerd.sock'] },
  { cis: '1.1.9', paths: ['/lib/systemd/system/docker.socket', '/usr/lib/systemd/system/docker.socket'] },
  { cis: '1.1.10', paths: ['/etc/default/docker'] },
  { cis: '1.1.11', paths: ['/etc/docker/daemon.json'] },
  { cis: '1.1.12', paths: ['/etc/containerd/config.toml'] },
  { cis: '1.1.13', paths: ['/etc/sysconfig/docker'] },
  { cis: '1.1.14', paths: ['/usr/bin/containerd'] },
  { cis: '1.1.15', paths: ['/usr/bin/containerd-shim'] },
  { cis: '1.1.16', paths: ['/usr/bin/containerd-shim-runc-v1'] },
  { cis: '1.1.17', paths: ['/usr/bin/containerd-shim-runc-v2'] },
  { cis: '1.1.18', paths: ['/usr/bin/runc'] },
];

export const sysctlSchema = z.object({
  /** Dotted name ("kernel.kptr_restrict"). */
  name: z.string(),
  /** The running value from /proc/sys, when the kernel has the knob. */
  value: z.string().optional(),
  source: z.string(),
});
export type Sysctl = z.infer<typeof sysctlSchema>;

export const hardeningFactsSchema = z.object({
  os: knownSchema(containerOsSchema),
  listeners: knownSchema(z.array(listenerSchema)),
  processes: knownSchema(z.array(processSchema)),
  units: knownSchema(z.array(unitSchema)),
  /** Compilers and package build tools present on the host (path of each binary found). */
  buildTools: knownSchema(z.array(z.string())),
  autoUpdates: knownSchema(autoUpdatesSchema),
  /** sshd's effective configuration; unknown when sshd is not installed or its config cannot be read. */
  sshd: knownSchema(sshdConfigSchema),
  accounts: knownSchema(z.array(accountStatusSchema)),
  auditd: knownSchema(
    z.object({
      installed: z.boolean(),
      watches: z.array(auditWatchSchema),
      /** Which of DOCKER_AUDIT_PATHS exist on the host (only those need a watch). */
      present: z.array(z.string()),
      /** The rules files read (rules.d/*.rules, audit.rules). */
      files: z.array(z.string()),
    }),
  ),
  journald: knownSchema(z.object({ storage: z.string(), at: sourceLineSchema, persistentDir: z.boolean() })),
  /** Time sync units enabled or daemons running ("chrony.service", "process chronyd"). */
  timeSync: knownSchema(z.object({ active: z.array(z.string()) })),
  sysctls: knownSchema(z.array(sysctlSchema)),
});
export type HardeningFacts = z.infer<typeof hardeningFactsSchema>;
