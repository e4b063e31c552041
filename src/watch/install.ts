// The systemd unit for `bulkhead watch` (printed by `watch install`, like `authz install`): starts after
// docker.service, stops with SIGTERM (watch removes its marks and writes learned profiles), restarts on failure, and
// runs in the sandbox of systemd.exec(5) "Capabilities", "Security", "Sandboxing" as far as watch's own calls allow
// (`systemd-analyze security`: 9.0 UNSAFE without it, 2.8 OK with it; test/watch/install-caps.test.ts runs the real
// watch under exactly this capability set, NoNewPrivileges and system call filter).
import {
  execLine,
  parentDir,
  quoteWord,
  renderUnit,
  underHome,
  type UnitLine,
} from '../shared/systemd-unit.js';

export interface WatchUnitOptions {
  /** The argv that starts bulkhead (src/shared/self-binary.ts: [node, script] or [--bin PATH]). */
  readonly command: readonly string[];
  readonly mode: string;
  readonly profiles: string;
  readonly db: string;
}

/**
 * Every capability watch uses, with the call that needs it (src/native/watch.c, src/watch/watcher.ts). The service
 * runs as root, whose capabilities at exec are the bounding set: that set is the limit (AmbientCapabilities= only
 * matters for a User= other than root). CAP_DAC_OVERRIDE is left out: watch writes only into root's own directories.
 */
export const WATCH_CAPABILITIES: readonly (readonly [cap: string, why: string])[] = [
  [
    'CAP_SYS_ADMIN',
    'fanotify_init(FAN_CLASS_CONTENT) and FAN_MARK_FILESYSTEM marks: the exec gate and the guard',
  ],
  [
    'CAP_NET_ADMIN',
    'the proc connector (PROC_CN_MCAST_LISTEN) and SO_RCVBUFFORCE on its socket and runsc trace sinks',
  ],
  [
    'CAP_SYS_PTRACE',
    "/proc/<pid>/exe and /syscall, process_vm_readv of other tasks: the exec's filename and argv",
  ],
  [
    'CAP_DAC_READ_SEARCH',
    "lstat of a drift candidate in the UpperDir and hashing files in container users' dirs",
  ],
  ['CAP_KILL', "kill mode's SIGKILL to a container process of another uid"],
  [
    'CAP_SYS_NICE',
    'SCHED_FIFO for the verdict and event threads, nice -20 and autogroup -20 where FIFO is refused',
  ],
];

/** The system call groups (systemd-analyze syscall-filter) denied to watch; argv is read with process_vm_readv, not ptrace(2). */
export const WATCH_DENIED_SYSCALLS: readonly string[] = [
  '@clock',
  '@cpu-emulation',
  '@debug',
  '@module',
  '@mount',
  '@obsolete',
  '@raw-io',
  '@reboot',
  '@swap',
];

export function watchUnit(o: WatchUnitOptions): string {
  const args = [...o.command, 'watch', '--mode', o.mode, '--profiles', o.profiles, '--db', o.db];
  const homeNeeded = [...o.command, o.profiles, o.db].some(underHome);
  const sandbox: UnitLine[] = [
    ['#', 'watch runs as root; its capabilities are this bounding set:'],
    ...WATCH_CAPABILITIES.map(([cap, why]): UnitLine => ['#', `  ${cap}: ${why}`]),
    ['CapabilityBoundingSet', WATCH_CAPABILITIES.map(([cap]) => cap).join(' ')],
    ['#', 'nothing it starts (runsc trace) may gain privileges through set-uid bits or file capabilities'],
    ['NoNewPrivileges', 'yes'],
    [
      '#',
      'the whole file system read-only but the profile and event database directories (create them first)',
    ],
    ['ProtectSystem', 'strict'],
    ['ReadWritePaths', `${quoteWord(o.profiles)} ${quoteWord(parentDir(o.db))}`],
    ['#', 'no home directories (read-only when node, bulkhead or a watch directory lives there)'],
    ['ProtectHome', homeNeeded ? 'read-only' : 'yes'],
    ['#', 'its own /tmp (watch writes nothing there)'],
    ['PrivateTmp', 'yes'],
    [
      '#',
      'the runsc trace sockets and session records, writable, 0700, and kept across restarts: a watch restarted',
    ],
    ['#', 'after a SIGKILL takes back the trace session its predecessor left (docs/watch.md, gVisor)'],
    ['RuntimeDirectory', 'bulkhead/gvisor'],
    ['RuntimeDirectoryMode', '0700'],
    ['RuntimeDirectoryPreserve', 'yes'],
    ['#', 'no devices but /dev/null and friends (the watchdog swaps the fanotify fd for /dev/null)'],
    ['PrivateDevices', 'yes'],
    [
      '#',
      'watch reads /proc/<pid>/cgroup, never writes /proc/sys, /sys or cgroupfs, loads no module, reads no kmsg',
    ],
    ['ProtectKernelTunables', 'yes'],
    ['ProtectKernelModules', 'yes'],
    ['ProtectKernelLogs', 'yes'],
    ['ProtectControlGroups', 'yes'],
    ['ProtectClock', 'yes'],
    ['ProtectHostname', 'yes'],
    [
      '#',
      'not ProtectProc=invisible or ProcSubset=pid: watch reads every /proc/<pid> and node reads /proc itself',
    ],
    ['#', 'AF_UNIX: the Docker socket and runsc trace sinks; AF_NETLINK: the proc connector; no IP at all'],
    ['RestrictAddressFamilies', 'AF_UNIX AF_NETLINK'],
    ['IPAddressDeny', 'any'],
    ['#', 'not PrivateNetwork=: the proc connector only reports to the initial network namespace'],
    ['#', 'watch and runsc trace create no namespaces'],
    ['RestrictNamespaces', 'yes'],
    ['#', 'not RestrictRealtime=: the verdict thread runs SCHED_FIFO'],
    ['#', 'not MemoryDenyWriteExecute=: V8 (node) compiles code into writable, executable pages'],
    ['RestrictSUIDSGID', 'yes'],
    ['LockPersonality', 'yes'],
    ['SystemCallArchitectures', 'native'],
    ['#', 'its mount namespace (ProtectSystem=) stays its own; container mounts still propagate into it'],
    ['PrivateMounts', 'yes'],
    [
      '#',
      'system calls watch, node and runsc trace never make: time, modules, mounts, ptrace(2), raw I/O, reboot,',
    ],
    [
      '#',
      'swap (not @privileged: fanotify_init is in it; not @resources: sched_setscheduler and setpriority)',
    ],
    ['SystemCallFilter', `~${WATCH_DENIED_SYSCALLS.join(' ')}`],
    ['SystemCallErrorNumber', 'EPERM'],
    ['#', 'the event database holds argv: only root reads what watch writes'],
    ['UMask', '0077'],
  ];
  return renderUnit([
    [
      'Unit',
      [
        ['Description', 'bulkhead watch: runtime protection for Docker containers'],
        ['After', 'docker.service'],
        ['Wants', 'docker.service'],
      ],
    ],
    [
      'Service',
      [
        ['Type', 'simple'],
        ['ExecStart', execLine(args)],
        ['KillSignal', 'SIGTERM'],
        ['TimeoutStopSec', '30'],
        ['Restart', 'always'],
        ['RestartSec', '2'],
        ...sandbox,
      ],
    ],
    ['Install', [['WantedBy', 'multi-user.target']]],
  ]);
}
