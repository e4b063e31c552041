// Tells a trace session a killed `bulkhead watch` left in a gVisor sandbox from one another tool holds. runsc's
// `trace list` names only the session and its sinks' kinds (runsc 20221219 runsc/cmd/trace/list.go: `"Default"`,
// `Sink: "remote", dropped: N`), never the sink's endpoint, so the session cannot say whose it is. Watch therefore
// keeps a record per session it creates (in its own directory, closed to others): its pid and start time, its
// socket, the sandbox's pid and start time, and the socket inode(s) the sandbox gained with the create (the sink's
// connection, which the sentry closes when the session is deleted or replaced). A session is stale, and taken back,
// only when all of that still holds and its watch is gone: the record's pid runs another program (or none) and its
// socket refuses connections.
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { describeError } from '../shared/errors.js';
import { procStatFields, socketInodes } from '../shared/proc.js';

/** The directory watch keeps its trace sockets, configs and session records in (created 0700, root's). */
export const DEFAULT_TRACE_DIR = '/run/bulkhead/gvisor';
/** Output `runsc trace list` may print; more is not a list bulkhead knows. */
const MAX_LIST = 64 * 1024;

export interface ListedSession {
  readonly name: string;
  /** The sinks' kinds ("remote", "null"), in runsc's order. */
  readonly sinks: readonly string[];
}

/**
 * `runsc trace list` output: `SESSIONS (N)`, then per session its %q-quoted name and one tab-indented `Sink: "kind",
 * dropped: N` line per sink. The names come from the sandbox (not trusted): anything else is an error naming it.
 */
export function parseTraceList(
  stdout: string,
): { ok: true; sessions: ListedSession[] } | { ok: false; error: string } {
  const bad = (why: string): { ok: false; error: string } => ({
    ok: false,
    error: `\`runsc trace list\` printed ${JSON.stringify(stdout.slice(0, 200))}${stdout.length > 200 ? '…' : ''}, which bulkhead does not recognise (${why})`,
  });
  if (stdout.length > MAX_LIST) return bad(`longer than ${MAX_LIST} bytes`);
  const lines = stdout.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const head = /^SESSIONS \((\d{1,4})\)$/.exec(lines[0] ?? '');
  if (head === null) return bad('no "SESSIONS (N)" first line');
  const sessions: { name: string; sinks: string[] }[] = [];
  for (const [i, line] of lines.slice(1).entries()) {
    const name = /^"((?:[^"\\]|\\.)*)"$/.exec(line);
    const sink = /^\tSink: "([a-z0-9_-]{1,64})", dropped: \d{1,20}$/.exec(line);
    if (name !== null) sessions.push({ name: name[1] ?? '', sinks: [] });
    else if (sink !== null && sessions.length > 0) sessions.at(-1)?.sinks.push(sink[1] ?? '');
    else return bad(`line ${i + 2} is neither a session name nor a sink`);
  }
  if (sessions.length !== Number(head[1]))
    return bad(`it counts ${head[1]} session(s) and names ${sessions.length}`);
  return { ok: true, sessions };
}

/** A process's start time (/proc/PID/stat field 22, clock ticks since boot): with the pid, names one process. */
export function processStart(pid: number): string | undefined {
  return procStatFields(pid)?.[19];
}

const recordSchema = z
  .object({
    version: z.literal(1),
    containerId: z.string().regex(/^[0-9a-f]{64}$/),
    watchPid: z.number().int().positive(),
    watchStart: z.string().regex(/^\d{1,20}$/),
    socket: z.string().min(1).max(200),
    sandboxPid: z.number().int().positive(),
    sandboxStart: z.string().regex(/^\d{1,20}$/),
    sinkInodes: z.array(z.string().regex(/^\d{1,20}$/)).max(16),
  })
  .strict();

export type SessionRecord = z.infer<typeof recordSchema>;

/** The record of the session a watch created in one sandbox (one file per container, in the trace directory). */
export function recordPath(dir: string, containerId: string): string {
  return join(dir, `${containerId}.session.json`);
}

/** Writes the record atomically (a reader sees the old file or the whole new one). */
export function writeRecord(dir: string, record: SessionRecord): void {
  const path = recordPath(dir, record.containerId);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, path);
}

export function readRecord(
  path: string,
): { ok: true; record: SessionRecord } | { ok: false; missing: boolean; error: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    return { ok: false, missing, error: `cannot read ${path}: ${describeError(error)}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, missing: false, error: `${path} is not JSON: ${describeError(error)}` };
  }
  const parsed = recordSchema.safeParse(json);
  if (!parsed.success)
    return {
      ok: false,
      missing: false,
      error: `${path} is not a bulkhead trace session record: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    };
  return { ok: true, record: parsed.data };
}

export interface StaleProbe {
  readonly dir: string;
  readonly containerId: string;
  readonly sandboxPid: number;
  /** `runsc trace list` of the sandbox, parsed. */
  readonly sessions: readonly ListedSession[];
  /** Connects to a unix SOCK_SEQPACKET socket (throws on refusal); the fd is closed by the caller's closeFd. */
  readonly connect: (path: string) => number;
  readonly closeFd: (fd: number) => void;
}

/**
 * Whether the sandbox's one session is one a bulkhead watch created and left behind when it died. `stale` carries
 * the record, claimed (renamed to `claim`, so two watches that both find it stale cannot both take it back: the
 * loser finds no record); otherwise `why` says what made it someone else's, or nothing when there is no record.
 */
export function probeStaleSession(
  p: StaleProbe,
): { stale: true; record: SessionRecord; claim: string } | { stale: false; why?: string } {
  const only = p.sessions.length === 1 ? p.sessions[0] : undefined;
  if (only?.name !== 'Default' || only.sinks.length !== 1 || only.sinks[0] !== 'remote')
    return { stale: false }; // not the shape of a bulkhead session
  const path = recordPath(p.dir, p.containerId);
  const first = readRecord(path);
  if (!first.ok) return first.missing ? { stale: false } : { stale: false, why: first.error };
  const ours = (r: SessionRecord): string | undefined => {
    if (r.containerId !== p.containerId) return `the record names container ${r.containerId.slice(0, 12)}`;
    if (r.sandboxPid !== p.sandboxPid || r.sandboxStart !== processStart(p.sandboxPid))
      return 'the record is of an earlier sandbox of this container';
    const held = socketInodes(p.sandboxPid);
    if (held === undefined || !r.sinkInodes.some((i) => held.has(i)))
      return "the sandbox no longer holds the recorded watch's sink connection (the session was replaced)";
    if (r.watchPid === process.pid || processStart(r.watchPid) === r.watchStart)
      return `the bulkhead watch that created it still runs (pid ${r.watchPid})`;
    if (dirname(r.socket) !== p.dir) return `its socket ${r.socket} is outside ${p.dir}`;
    try {
      p.closeFd(p.connect(r.socket));
      return `something still listens on its socket ${r.socket}`;
    } catch (error) {
      const text = describeError(error);
      if (!/Connection refused|No such file or directory/.test(text))
        return `its socket ${r.socket}: ${text}`;
    }
    return undefined;
  };
  const firstWhy = ours(first.record);
  if (firstWhy !== undefined) return { stale: false, why: firstWhy };
  const claim = `${path}.claim-${process.pid}`;
  try {
    renameSync(path, claim);
  } catch {
    return { stale: false, why: 'another bulkhead watch is taking it back' };
  }
  // the record may have been rewritten between the read and the claim: judge what was claimed
  const claimed = readRecord(claim);
  const why = claimed.ok ? ours(claimed.record) : claimed.error;
  if (claimed.ok && why === undefined) return { stale: true, record: claimed.record, claim };
  releaseClaim(claim, p.dir, p.containerId);
  return { stale: false, why: why ?? 'the claimed record changed' };
}

/** Puts a claimed record back (a take-back that did not happen); drops it when that fails. */
export function releaseClaim(claim: string, dir: string, containerId: string): void {
  try {
    renameSync(claim, recordPath(dir, containerId));
  } catch {
    rmSync(claim, { force: true });
  }
}
