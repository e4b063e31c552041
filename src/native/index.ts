// Loads the watch addon (watch.c, built by node-gyp at install) and validates what it hands JS (zod), or says
// exactly why it is unavailable so `bulkhead watch` can run what it can and name what is missing.
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
export const DENY_REASON = { container: -1, none: 0, drift: 1, profile: 2, guard: 3 } as const;

/** The key a host mark's allow-set holds for one file (watch.c builds the same from fstat of the event's fd). */
export function hostGateKey(path: string, st: { ino: bigint; ctimeNs: bigint }): string {
  const sec = st.ctimeNs / 1_000_000_000n;
  const nsec = (st.ctimeNs % 1_000_000_000n).toString().padStart(9, '0');
  return `${path}\t${st.ino}\t${sec}.${nsec}`;
}

const countersSchema = z.object({
  procEvents: z.number(),
  procOverflows: z.number(),
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
});
export type NativeCounters = z.infer<typeof countersSchema>;

type Batch = (records: NativeRecord[]) => void;

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
  counters(): NativeCounters;
  decodeProc(message: Buffer): NativeRecord | null;
  /** Test hook: the verdict thread holds each read batch this long (ms), or with -1 until stopped (a hung loop). */
  setVerdictDelayForTest(ms: number): void;
}

interface RawAddon {
  procStart(cb: (batch: unknown) => void, withExe: number): void;
  procStop(): void;
  gateStart(cb: (batch: unknown) => void, watchdogMs: number): void;
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
  counters(): unknown;
  decodeProc(message: Buffer): unknown;
  setVerdictDelayForTest(ms: number): void;
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
  const batches = (onBatch: Batch) => (batch: unknown) => {
    onBatch(z.array(recordSchema).parse(batch));
  };
  return {
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
    counters: () => countersSchema.parse(raw.counters()),
    decodeProc: (message) => {
      const out = raw.decodeProc(message);
      return out === null ? null : recordSchema.parse(out);
    },
    setVerdictDelayForTest: (ms) => {
      raw.setVerdictDelayForTest(ms);
    },
  };
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
    return (cached = { ok: true, addon: wrap(required as RawAddon) });
  } catch (error) {
    return (cached = {
      ok: false,
      reason: `the native watch addon ${file} does not load: ${error instanceof Error ? error.message : String(error)}`,
    });
  }
}
