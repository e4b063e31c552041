// Loads the watch addon (watch.c, and unix_diag.c for the network stage; built by node-gyp at install) and validates
// what it hands JS (zod), or says exactly why it is unavailable so `bulkhead watch` can run what it can and name what
// is missing.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const recordSchema = z.object({
  kind: z.enum(['fork', 'exec', 'exit', 'uid', 'gate-exec', 'gate-open', 'stall', 'unknown']),
  pid: z.number(),
  tgid: z.number(),
  ppid: z.number(),
  ptgid: z.number(),
  uid: z.number(),
  tty: z.number(),
  timeNs: z.number(),
  exitCode: z.number().optional(),
  verdict: z.number().optional(),
  reason: z.number().optional(),
  drift: z.number().optional(),
  inProfile: z.number().optional(),
  markId: z.number().optional(),
  setid: z.number().optional(),
  dev: z.number().optional(),
  ino: z.number().optional(),
  verdictNs: z.number().optional(),
  comm: z.string().optional(),
  path: z.string().optional(),
  cgroup: z.string().optional(),
  cmdline: z.string().optional(),
  filename: z.string().optional(),
  parent: z.string().optional(),
  invoked: z.string().optional(),
});

/** One record from a native source: a proc connector event, a fanotify verdict, or a watchdog report. */
export type NativeRecord = z.infer<typeof recordSchema>;

/**
 * Why the verdict thread denied: 0 none, 1 drift, 2 not in profile (or host allow-list), 3 runtime-binary guard;
 * -1: an exec from a container cgroup seen on a host mark (passed, the container's watch judges it).
 */
/** The gate's reason codes (watch.c): negative ones allow. installer: a host file outside the allow-set run by the
 * package manager installing it (its maintainer script). */
export const DENY_REASON = { installer: -2, container: -1, none: 0, drift: 1, profile: 2, guard: 3 } as const;

/** The key a host mark's allow-set holds for one file (watch.c builds the same from fstat of the event's fd). */
export function hostGateKey(path: string, st: { ino: bigint; ctimeNs: bigint }): string {
  const sec = st.ctimeNs / 1_000_000_000n;
  const nsec = (st.ctimeNs % 1_000_000_000n).toString().padStart(9, '0');
  return `${path}\t${st.ino}\t${sec}.${nsec}`;
}

const countersSchema = z.object({
  procEvents: z.number(),
  procOverflows: z.number(),
  /** The proc connector socket's receive buffer in bytes as the kernel reports it (twice the 8 MiB asked for). */
  procRcvbuf: z.number(),
  procDrops: z.number(),
  gateEvents: z.number(),
  gateOverflows: z.number(),
  gateDrops: z.number(),
  stalls: z.number(),
  denied: z.number(),
  verdicts: z.number(),
  verdictNsTotal: z.number(),
  verdictNsMax: z.number(),
  gateActive: z.number(),
  /** Gated execs whose filename and argv could not be read (the task never went to sleep on the verdict in time). */
  argsMissed: z.number(),
  /** Gated execs gone before their uid, ppid and tty could be read after the answer (JS falls back to the fork). */
  infoMissed: z.number(),
  /** Exec events the proc reader did not read /proc for: the gate's record of the same exec has the facts. */
  procSkipped: z.number(),
  /** The verdict thread's scheduling: 1 SCHED_FIFO, 2 nice -20 (real-time refused), 0 default. */
  gateSched: z.number(),
  /** Verdict threads (1, or one per CPU with BULKHEAD_WATCH_GATE_THREADS; 0 while the gate is stopped). */
  gateThreads: z.number(),
  /** Time the verdict thread spent reading the exec'ing tasks' syscall state until they slept on their event. */
  argsWaitNsTotal: z.number(),
});
export type NativeCounters = z.infer<typeof countersSchema>;

type Batch = (records: NativeRecord[]) => void;

/** Numbers per record in a packed batch (watch.c call_js): the fields below, then a bit mask of the strings. */
export const REC_FIELDS = 19;
const KIND_BY_CODE: Readonly<Record<number, NativeRecord['kind']>> = {
  1: 'fork',
  2: 'exec',
  3: 'exit',
  4: 'uid',
  10: 'gate-exec',
  11: 'gate-open',
  20: 'stall',
};
/** The optional string fields, in the order of their mask bits (watch.c STR_*). */
const STRING_FIELDS = ['comm', 'path', 'cgroup', 'cmdline', 'filename', 'parent', 'invoked'] as const;

/**
 * Unpacks one batch as the addon hands it over: REC_FIELDS numbers per record (kind code, pid, tgid, ppid, ptgid,
 * uid, tty, timeNs, exitCode, verdict, reason, drift, inProfile, markId, setid, dev, ino, verdictNs, string mask)
 * and the present strings in record and mask order. Throws when the two do not fit together.
 */
export function unpackBatch(packed: unknown): NativeRecord[] {
  // checked by hand, not by a zod schema: this runs for every record at thousands of events/s (bench/watch
  // --cpu-prof: the schema's per-string checks and a closure per record were ~15 % of the watcher's JS time)
  if (!Array.isArray(packed) || packed.length !== 2)
    throw new Error('native batch is not [numbers, strings]');
  const nums: unknown = packed[0];
  const strs: unknown = packed[1];
  if (!(nums instanceof Float64Array) || !Array.isArray(strs))
    throw new Error('native batch is not [Float64Array, string[]]');
  if (nums.length % REC_FIELDS !== 0)
    throw new Error(
      `native batch of ${nums.length} numbers is not a whole number of ${REC_FIELDS}-field records`,
    );
  const out: NativeRecord[] = [];
  let next = 0;
  for (let o = 0; o < nums.length; o += REC_FIELDS) {
    const code = nums[o] ?? NaN;
    const kind = KIND_BY_CODE[code] ?? 'unknown';
    const rec: NativeRecord = {
      kind,
      pid: nums[o + 1] ?? NaN,
      tgid: nums[o + 2] ?? NaN,
      ppid: nums[o + 3] ?? NaN,
      ptgid: nums[o + 4] ?? NaN,
      uid: nums[o + 5] ?? NaN,
      tty: nums[o + 6] ?? NaN,
      timeNs: nums[o + 7] ?? NaN,
    };
    if (kind === 'exit') rec.exitCode = nums[o + 8] ?? NaN;
    if (code >= 10) {
      rec.verdict = nums[o + 9] ?? NaN;
      rec.reason = nums[o + 10] ?? NaN;
      rec.drift = nums[o + 11] ?? NaN;
      rec.inProfile = nums[o + 12] ?? NaN;
      rec.markId = nums[o + 13] ?? NaN;
      rec.setid = nums[o + 14] ?? NaN;
      rec.dev = nums[o + 15] ?? NaN;
      rec.ino = nums[o + 16] ?? NaN;
      rec.verdictNs = nums[o + 17] ?? NaN;
    }
    const mask = nums[o + 18] ?? 0;
    for (let bit = 0; bit < STRING_FIELDS.length; bit += 1) {
      if ((mask & (1 << bit)) === 0) continue;
      const value: unknown = strs[next];
      if (value === undefined) throw new Error('native batch has fewer strings than its records announce');
      if (typeof value !== 'string') throw new Error('native batch has a string field that is not a string');
      next += 1;
      const field = STRING_FIELDS[bit];
      if (field !== undefined) rec[field] = value;
    }
    out.push(rec);
  }
  if (next !== strs.length) throw new Error('native batch has more strings than its records announce');
  return out;
}

/** Numbers per socket in unixSockets' packed answer (unix_diag.c UNIX_FIELDS). */
export const UNIX_FIELDS = 6;

/** A unix socket with a filesystem identity: bound to a path, or accepted from a listener bound to one. */
export interface UnixSocket {
  readonly inode: number;
  /** SOCK_STREAM 1, SOCK_DGRAM 2, SOCK_SEQPACKET 5. */
  readonly type: number;
  /** TCP_ESTABLISHED 1 (connected), TCP_LISTEN 10, TCP_CLOSE 7 (unix sockets reuse the TCP state numbers). */
  readonly state: number;
  /** Inode of the other end; 0 when unconnected, or when that end has no inode (gone, or not yet accepted). */
  readonly peer: number;
  /** The socket file's device as stat(2) reports it (st_dev) and the low 32 bits of its inode. */
  readonly fileDev: number;
  readonly fileIno: number;
  /** The path the socket (or its listener) was bound to, in the binder's mount namespace. */
  readonly path: string;
}

export interface UnixSocketDump {
  readonly sockets: UnixSocket[];
  /** Every unix socket of the namespace, kept or not. */
  readonly total: number;
}

const unixPackedSchema = z.tuple([z.instanceof(Float64Array), z.array(z.string()), z.number()]);

/** Unpacks unixSockets' answer: UNIX_FIELDS numbers and one path per socket, and the namespace's total. */
export function unpackUnixSockets(packed: unknown): UnixSocketDump {
  const [nums, paths, total] = unixPackedSchema.parse(packed);
  if (nums.length !== paths.length * UNIX_FIELDS)
    throw new Error(`unix socket dump of ${nums.length} numbers does not fit ${paths.length} paths`);
  const sockets = paths.map((path, i): UnixSocket => {
    const at = (k: number): number => nums[i * UNIX_FIELDS + k] ?? NaN;
    return { inode: at(0), type: at(1), state: at(2), peer: at(3), fileDev: at(4), fileIno: at(5), path };
  });
  return { sockets, total };
}

/** The addon's functions, typed; raw batches are validated before they reach the caller. */
export interface WatchAddon {
  /** Starts the proc connector reader; `withExe` also records each exec's /proc/<pid>/exe as `path` (host mode). */
  procStart(onBatch: Batch, withExe?: boolean): void;
  procStop(): void;
  /** Starts the fanotify group; the watchdog drops it when one verdict batch takes longer than `watchdogMs`. */
  gateStart(onBatch: Batch, watchdogMs: number): void;
  gateStop(): void;
  /**
   * Adds (first call) or updates the exec gate of one container filesystem. `enforce`: 0 observe, 1 deny with
   * EPERM, 2 SIGKILL while the exec is blocked; `allow` null = no profile (drift is still enforced). A `host` mark
   * gates a host filesystem (watch --host): `allow` holds `path\tino\tctime` keys (see hostGateKey), execs from
   * container cgroups pass (reason -1).
   */
  markSet(
    id: number,
    merged: string,
    upper: string,
    enforce: 0 | 1 | 2,
    allow: readonly string[] | null,
    host?: boolean,
  ): void;
  markRemove(id: number): void;
  guardAdd(path: string): void;
  /** A package manager binary (dpkg, rpm): what its children run on a host mark is allowed (R_INSTALLER). */
  installerAdd(path: string): void;
  counters(): NativeCounters;
  decodeProc(message: Buffer): NativeRecord | null;
  /** Test hook: the verdict thread holds each read batch this long (ms), or with -1 until stopped (a hung loop). */
  setVerdictDelayForTest(ms: number): void;
  /**
   * The calling (JS) thread takes SCHED_FIFO priority 1 with SCHED_RESET_ON_FORK (threads and processes started
   * later get the default policy): 1, or a negative errno when refused. Absent in replayed or stub addons.
   */
  raiseEventThread?: () => number;
  /**
   * The unix sockets with a filesystem identity in the network namespace of `nsPath` (/proc/PID/ns/net), by
   * sock_diag; throws with code ENOENT when the namespace is gone.
   */
  unixSockets(nsPath: string): UnixSocketDump;
  /** SOCK_SEQPACKET sockets for runsc's remote trace sink (seqpacket.c); absent in replayed or stub addons. */
  readonly seqpacket?: SeqpacketOps;
}

/** What one non-blocking read of a SOCK_SEQPACKET connection found. */
export interface SeqpacketRead {
  readonly messages: readonly Buffer[];
  /** Real lengths of messages longer than the cap (discarded unread). */
  readonly oversize: readonly number[];
  /** The peer closed (or reset) the connection. */
  readonly eof: boolean;
}

/** Unix SOCK_SEQPACKET sockets (Node's net has none); every call is non-blocking; close fds with fs.closeSync. */
export interface SeqpacketOps {
  /** A listening socket bound to `path` (mode 0600; an old socket file there is replaced); returns its fd. */
  listen(path: string): number;
  /** The next pending connection's fd, or -1 when none is waiting. */
  accept(fd: number): number;
  /** Up to `max` pending messages of at most `cap` bytes each. */
  recv(fd: number, cap: number, max: number): SeqpacketRead;
  /** Sends one message; the bytes sent, or -1 when it would block. */
  send(fd: number, message: Buffer): number;
  /** A connected blocking client socket (tests play the sentry with it). */
  connect(path: string): number;
}

const seqpacketReadSchema = z.object({
  messages: z.array(z.instanceof(Buffer)),
  oversize: z.array(z.number()),
  eof: z.boolean(),
});

interface RawAddon {
  procStart(cb: (nums: unknown, strs: unknown) => void, withExe: number): void;
  procStop(): void;
  gateStart(cb: (nums: unknown, strs: unknown) => void, watchdogMs: number): void;
  gateStop(): void;
  markSet(
    id: number,
    merged: string,
    upper: string,
    enforce: number,
    allow: readonly string[] | null,
    host: number,
  ): void;
  markRemove(id: number): void;
  guardAdd(path: string): void;
  installerAdd(path: string): void;
  counters(): unknown;
  decodeProc(message: Buffer): unknown;
  setVerdictDelayForTest(ms: number): void;
  raiseEventThread?: () => number;
  unixSockets(nsPath: string): unknown;
  seqpacketListen?: (path: string) => number;
  seqpacketAccept?: (fd: number) => number;
  seqpacketRecv?: (fd: number, cap: number, max: number) => unknown;
  seqpacketSend?: (fd: number, message: Buffer) => number;
  seqpacketConnect?: (path: string) => number;
}

function wrapSeqpacket(raw: RawAddon): SeqpacketOps | undefined {
  const { seqpacketListen, seqpacketAccept, seqpacketRecv, seqpacketSend, seqpacketConnect } = raw;
  if (
    seqpacketListen === undefined ||
    seqpacketAccept === undefined ||
    seqpacketRecv === undefined ||
    seqpacketSend === undefined ||
    seqpacketConnect === undefined
  )
    return undefined;
  return {
    listen: (path) => seqpacketListen(path),
    accept: (fd) => seqpacketAccept(fd),
    recv: (fd, cap, max) => seqpacketReadSchema.parse(seqpacketRecv(fd, cap, max)),
    send: (fd, message) => seqpacketSend(fd, message),
    connect: (path) => seqpacketConnect(path),
  };
}

export type AddonLoad =
  { readonly ok: true; readonly addon: WatchAddon } | { readonly ok: false; readonly reason: string };

const here = dirname(fileURLToPath(import.meta.url));
const CANDIDATES = [
  join(here, 'build', 'Release', 'bulkhead_watch.node'),
  // from dist/src/native back to the sources, where node-gyp built it
  join(here, '..', '..', '..', 'src', 'native', 'build', 'Release', 'bulkhead_watch.node'),
];

function wrap(raw: RawAddon): WatchAddon {
  const batches = (onBatch: Batch) => (nums: unknown, strs: unknown) => {
    onBatch(unpackBatch([nums, strs]));
  };
  const seqpacket = wrapSeqpacket(raw);
  return {
    ...(seqpacket === undefined ? {} : { seqpacket }),
    procStart: (onBatch, withExe) => {
      raw.procStart(batches(onBatch), withExe === true ? 1 : 0);
    },
    procStop: () => {
      raw.procStop();
    },
    gateStart: (onBatch, watchdogMs) => {
      raw.gateStart(batches(onBatch), watchdogMs);
    },
    gateStop: () => {
      raw.gateStop();
    },
    markSet: (id, merged, upper, enforce, allow, host) => {
      raw.markSet(id, merged, upper, enforce, allow, host === true ? 1 : 0);
    },
    markRemove: (id) => {
      raw.markRemove(id);
    },
    guardAdd: (path) => {
      raw.guardAdd(path);
    },
    installerAdd: (path) => {
      raw.installerAdd(path);
    },
    counters: () => countersSchema.parse(raw.counters()),
    decodeProc: (message) => {
      const out = raw.decodeProc(message);
      return out === null ? null : recordSchema.parse(out);
    },
    setVerdictDelayForTest: (ms) => {
      raw.setVerdictDelayForTest(ms);
    },
    ...(raw.raiseEventThread === undefined ? {} : { raiseEventThread: raw.raiseEventThread.bind(raw) }),
    unixSockets: (nsPath) => unpackUnixSockets(raw.unixSockets(nsPath)),
  };
}

/** The addon's interfaceVersion this code reads (src/native/watch.c init: bump both together). */
export const ADDON_INTERFACE = 4;

/** Why a loaded addon cannot serve this code (built from other sources), or undefined when it can. */
export function addonMismatch(required: unknown, file: string): string | undefined {
  const version =
    typeof required === 'object' && required !== null && 'interfaceVersion' in required
      ? required.interfaceVersion
      : undefined;
  if (version === ADDON_INTERFACE) return undefined;
  return `the native watch addon ${file} was built from other sources (interface ${typeof version === 'number' ? version : 'unversioned'}, this bulkhead needs ${ADDON_INTERFACE}); rebuild it with \`node scripts/build-native.js\``;
}

let cached: AddonLoad | undefined;

/** Loads the addon once; never throws. */
export function loadWatchAddon(): AddonLoad {
  if (cached !== undefined) return cached;
  if (process.platform !== 'linux') return (cached = { ok: false, reason: 'the watch addon is Linux only' });
  const file = CANDIDATES.find((candidate) => existsSync(candidate));
  if (file === undefined) {
    return (cached = {
      ok: false,
      reason:
        'the native watch addon is not built (src/native/build/Release/bulkhead_watch.node); run `node scripts/build-native.js` (needs g++, make, python3 and Node headers)',
    });
  }
  try {
    const required: unknown = createRequire(import.meta.url)(file);
    const mismatch = addonMismatch(required, file);
    if (mismatch !== undefined) return (cached = { ok: false, reason: mismatch });
    return (cached = { ok: true, addon: wrap(required as RawAddon) });
  } catch (error) {
    return (cached = {
      ok: false,
      reason: `the native watch addon ${file} does not load: ${error instanceof Error ? error.message : String(error)}`,
    });
  }
}
