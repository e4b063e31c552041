// Profiles, one YAML file per image digest (docs/watch.md "Profiles"): the exec section (executables by invoked path
// and content hash with their users and parents, the learning window and event count) and the network section of
// src/net; learn/merge, diff, promote. A learned profile lives in `<hex>.learned.yaml` and is enforced only once
// promoted to `<hex>.yaml`. Two learners write one file (watch's exec learner, the network stage), in one process or
// two: each replaces only its own section in a read-merge-write under the file's lock (updateProfileFile).
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { z } from 'zod';
import { diffNetworkSections, networkSectionSchema } from '../net/profile.js';
import { BulkheadError, errnoCode, InputError } from '../shared/errors.js';
import { readTextInput } from '../shared/files.js';
import { parseYaml } from '../shared/yaml.js';

/** Where `bulkhead watch` and its network stage keep profiles unless told otherwise (--profiles). */
export const DEFAULT_PROFILE_DIR = '/var/lib/bulkhead/watch/profiles';

export const WATCH_MODES = ['learn', 'alert', 'kill', 'deny'] as const;
export type WatchMode = (typeof WATCH_MODES)[number];

const DIGEST = /^sha256:[0-9a-f]{64}$/;

export const executableSchema = z.strictObject({
  /** The path the caller passed to execve (a busybox applet is its own entry), made absolute. */
  path: z.string().startsWith('/'),
  /** The file that was executed, after symlinks. */
  exe: z.string().startsWith('/'),
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  users: z.array(z.number().int().nonnegative()),
  parents: z.array(z.string()),
  count: z.number().int().nonnegative(),
});
export type ProfileExecutable = z.infer<typeof executableSchema>;

export const profileSchema = z.strictObject({
  apiVersion: z.literal('bulkhead.dev/v1'),
  kind: z.literal('WatchProfile'),
  image: z.strictObject({
    digest: z.string().regex(DIGEST, 'must be sha256:<64 hex>'),
    names: z.array(z.string()),
  }),
  /** Increases on every promote; events record the version that judged them. */
  version: z.number().int().positive(),
  /** Overrides the global --mode for containers of this image (except a global learn). */
  mode: z.enum(WATCH_MODES).optional(),
  /** The exec learner's window; absent in a profile only the network stage has written. */
  learning: z
    .strictObject({
      started: z.iso.datetime(),
      updated: z.iso.datetime(),
      events: z.number().int().nonnegative(),
    })
    .optional(),
  /**
   * The exec section. Absent means no exec profile for this image (a network-only profile: nothing is judged
   * BH-W-001); an empty list means that no program may run.
   */
  executables: z.array(executableSchema).optional(),
  /** The network section, owned by the network stage (src/net/profile.ts, docs/net.md "Profiles"). */
  network: networkSectionSchema.optional(),
});
export type Profile = z.infer<typeof profileSchema>;

export type ProfileKind = 'enforced' | 'learned';

export function profileFile(dir: string, digest: string, kind: ProfileKind): string {
  const hex = digest.replace(/^sha256:/, '');
  return join(dir, kind === 'learned' ? `${hex}.learned.yaml` : `${hex}.yaml`);
}

/** Parses YAML text against `schema`; throws InputError whose message has one "file:line:col: message" line per problem. */
export function parseWithSchema<T>(text: string, source: string, schema: z.ZodType<T>, what: string): T {
  const { doc, positionOf } = parseYaml(text, source, {
    hint: `fix the ${what}; the last good ${what} stays in force meanwhile`,
  });
  const result = schema.safeParse(doc.toJS({ maxAliasCount: 100 }));
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    const pos = positionOf(path);
    const where = pos === undefined ? source : `${source}:${pos}`;
    return `${where}: ${path.join('.') || '(document)'}: ${issue.message}`;
  });
  throw new InputError(source, `${lines.length} ${what} error(s):\n${lines.join('\n')}`, {
    hint: `fix the ${what} (docs/watch.md describes every key); the last good ${what} stays in force meanwhile`,
  });
}

/** Parses profile text; throws InputError whose message has one "file:line:col: message" line per problem. */
export function parseProfile(text: string, source: string): Profile {
  return parseWithSchema(text, source, profileSchema, 'profile');
}

export function loadProfile(file: string): Profile {
  return parseProfile(readTextInput(file, 'watch profile', 'check --profiles DIR'), file);
}

/** Writes a profile atomically (temp file + rename), so a reader never sees half a file. */
export function saveProfile(file: string, profile: Profile): void {
  writeProfileYaml(
    file,
    `# bulkhead watch profile for ${profile.image.names[0] ?? profile.image.digest} (docs/watch.md)\n`,
    profile,
  );
}

/** `header` + the YAML of `value`, written to a temp file beside `file` and renamed over it (never half a file). */
export function writeProfileYaml(file: string, header: string, value: unknown): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, header + stringify(value, { lineWidth: 0 }));
  renameSync(tmp, file);
}

/** A lock older than this is a crashed writer's (a write holds it for milliseconds). */
const LOCK_STALE_MS = 30_000;
/** How long a writer waits for another one before giving up with an error. */
const LOCK_WAIT_MS = 10_000;

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** A lock whose writer is gone (its pid no longer runs) or that is older than any write takes. */
function lockIsStale(lock: string): boolean {
  try {
    const pid = Number(readFileSync(lock, 'utf8').trim());
    if (Date.now() - statSync(lock).mtimeMs > LOCK_STALE_MS) return true;
    if (!Number.isInteger(pid) || pid <= 0) return false; // being written right now
    try {
      process.kill(pid, 0);
      return false;
    } catch (error) {
      return errnoCode(error) === 'ESRCH';
    }
  } catch {
    return false; // removed meanwhile: the next try takes it
  }
}

/**
 * Runs `fn` holding `<file>.lock` (created with O_EXCL, holding the writer's pid), so writers in other processes
 * wait; writers in one process never interleave anyway (the update is synchronous). A lock left by a crashed
 * writer is taken over.
 */
export function withProfileLock<T>(file: string, fn: () => T): T {
  const lock = `${file}.lock`;
  mkdirSync(dirname(file), { recursive: true });
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    let fd: number;
    try {
      fd = openSync(lock, 'wx', 0o600);
    } catch (error) {
      if (errnoCode(error) !== 'EEXIST')
        throw new BulkheadError('INPUT_UNREADABLE', `cannot create the profile lock ${lock}`, {
          subject: lock,
          hint: 'check that the profile directory is writable (watch runs as root)',
          cause: error,
        });
      if (lockIsStale(lock)) {
        try {
          unlinkSync(lock);
        } catch {
          // another writer took it over first
        }
        continue;
      }
      if (Date.now() > deadline)
        throw new BulkheadError('INTERNAL', `profile ${file} stayed locked for ${LOCK_WAIT_MS} ms`, {
          subject: lock,
          hint: `another bulkhead writes it; if none runs, delete ${lock}`,
        });
      sleepSync(2);
      continue;
    }
    try {
      writeSync(fd, `${process.pid}\n`);
    } finally {
      closeSync(fd);
    }
    try {
      return fn();
    } finally {
      try {
        unlinkSync(lock);
      } catch {
        // taken over as stale (only after LOCK_STALE_MS)
      }
    }
  }
}

/**
 * Read-merge-write of one profile file under its lock: `update` gets the file's current profile (undefined when
 * there is none) and returns the profile to write, or undefined to leave the file as it is. A file that does not
 * parse is never overwritten: the InputError (file:line:column) goes to the caller, which keeps what it learned
 * and tries again later — overwriting would lose the other learner's section.
 */
export function updateProfileFile(
  file: string,
  update: (current: Profile | undefined) => Profile | undefined,
): Profile | undefined {
  return updateLockedProfile(
    file,
    loadProfile,
    (next) => {
      saveProfile(file, profileSchema.parse(next));
    },
    update,
  );
}

/** The locked read-merge-write of updateProfileFile for any profile kind (image profiles, the host profile). */
export function updateLockedProfile<T>(
  file: string,
  load: (file: string) => T,
  save: (next: T) => void,
  update: (current: T | undefined) => T | undefined,
): T | undefined {
  return withProfileLock(file, () => {
    const current = existsSync(file) ? load(file) : undefined;
    const next = update(current);
    if (next === undefined) return current;
    save(next);
    return next;
  });
}

/** The union of the image names the file has and the ones a learner saw. */
export function withImageNames(profile: Profile, names: readonly string[]): Profile {
  const all = [...new Set([...profile.image.names, ...names])];
  return all.length === profile.image.names.length
    ? profile
    : { ...profile, image: { ...profile.image, names: all } };
}

function unionSorted<T>(a: readonly T[], b: readonly T[]): T[] {
  return [...new Set([...a, ...b])].sort();
}

/** Executables of both lists; one in both keeps the larger count, and the users and parents of both. */
function unionExecutables(
  a: readonly ProfileExecutable[],
  b: readonly ProfileExecutable[],
): ProfileExecutable[] {
  const byKey = new Map<string, ProfileExecutable>();
  for (const e of [...a, ...b]) {
    const key = `${e.path}\0${e.exe}`;
    const old = byKey.get(key);
    byKey.set(
      key,
      old === undefined
        ? e
        : {
            ...old,
            ...(e.sha256 === undefined ? {} : { sha256: e.sha256 }),
            users: unionSorted(old.users, e.users),
            parents: unionSorted(old.parents, e.parents),
            count: Math.max(old.count, e.count),
          },
    );
  }
  return [...byKey.values()].sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
}

/**
 * The exec learner's write: its `executables` and `learning` merged into the file's (a union: the learner started
 * from the file, so this is what it learned plus anything the file gained meanwhile), every other key (the network
 * section, a hand-set mode) as the file has it. With no file, the learned profile without a network section (one
 * it read earlier belongs to the network stage, and the file was removed since).
 */
export function mergeExecSection(current: Profile | undefined, learned: Profile): Profile {
  if (current === undefined) {
    const { network: _dropped, ...rest } = learned;
    return rest;
  }
  const merged = withImageNames(current, learned.image.names);
  const a = current.learning;
  const b = learned.learning;
  const learning =
    a === undefined || b === undefined
      ? (b ?? a)
      : {
          started: a.started < b.started ? a.started : b.started,
          updated: a.updated > b.updated ? a.updated : b.updated,
          events: Math.max(a.events, b.events),
        };
  const executables =
    learned.executables === undefined
      ? current.executables
      : unionExecutables(current.executables ?? [], learned.executables);
  return {
    ...merged,
    ...(learning === undefined ? {} : { learning }),
    ...(executables === undefined ? {} : { executables }),
  };
}

/** Digests that have a profile file of either kind in `dir`. */
export function listProfileDigests(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const digests = new Set<string>();
  for (const name of readdirSync(dir)) {
    const match = /^([0-9a-f]{64})(?:\.learned)?\.yaml$/.exec(name);
    if (match?.[1] !== undefined) digests.add(`sha256:${match[1]}`);
  }
  return [...digests].sort();
}

/** A profile with no sections yet (the network stage creates files this way: no exec section, no allow-list). */
export function bareProfile(digest: string, names: readonly string[]): Profile {
  return {
    apiVersion: 'bulkhead.dev/v1',
    kind: 'WatchProfile',
    image: { digest, names: [...names] },
    version: 1,
  };
}

/** A profile with an empty exec section, as the exec learner starts one. */
export function emptyProfile(digest: string, names: readonly string[], now: Date): Profile {
  return {
    apiVersion: 'bulkhead.dev/v1',
    kind: 'WatchProfile',
    image: { digest, names: [...names] },
    version: 1,
    learning: { started: now.toISOString(), updated: now.toISOString(), events: 0 },
    executables: [],
  };
}

/** What learning takes from one exec. */
export interface LearnedExec {
  readonly path: string;
  readonly exe: string;
  readonly sha256: string | undefined;
  readonly uid: number;
  readonly parent: string | undefined;
}

function addSorted<T>(list: readonly T[], item: T): T[] {
  return list.includes(item) ? [...list] : [...list, item].sort();
}

/** The profile after one more exec was seen (pure: returns a new profile). */
export function learnExec(profile: Profile, exec: LearnedExec, now: Date): Profile {
  const known = profile.executables ?? [];
  const index = known.findIndex((e) => e.path === exec.path && e.exe === exec.exe);
  const old = index >= 0 ? known[index] : undefined;
  const entry: ProfileExecutable = {
    path: exec.path,
    exe: exec.exe,
    ...((exec.sha256 ?? old?.sha256) === undefined ? {} : { sha256: exec.sha256 ?? old?.sha256 }),
    users: addSorted(old?.users ?? [], exec.uid),
    parents:
      exec.parent === undefined ? [...(old?.parents ?? [])] : addSorted(old?.parents ?? [], exec.parent),
    count: (old?.count ?? 0) + 1,
  };
  const executables = [...known];
  if (index >= 0) executables[index] = entry;
  else executables.push(entry);
  executables.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const learning = profile.learning ?? { started: now.toISOString(), updated: now.toISOString(), events: 0 };
  return {
    ...profile,
    learning: { ...learning, updated: now.toISOString(), events: learning.events + 1 },
    executables,
  };
}

/** The paths an exec may run under the enforced profile; null when there is no exec profile (none, or network-only). */
export function execAllowList(profile: Profile | undefined): string[] | null {
  return profile?.executables === undefined ? null : profile.executables.map((e) => e.path);
}

/** Whether the enforced profile lists `path`; undefined when there is no exec profile to judge by. */
export function inExecProfile(profile: Profile | undefined, path: string): boolean | undefined {
  return profile?.executables === undefined ? undefined : profile.executables.some((e) => e.path === path);
}

export interface ProfileChange {
  readonly section: 'executables' | 'network' | 'mode';
  /** The executable's path; for the network section the entry ("outbound api -> web:8080/tcp"); "(mode)". */
  readonly path: string;
  readonly change: 'added' | 'removed' | 'changed';
  /** For "changed": which fields differ, "field: old -> new". */
  readonly details: readonly string[];
}

/** The exec-section changes from `current` to `next` (container and host profiles share the section's shape). */
export function execChanges(
  current: { readonly executables?: readonly ProfileExecutable[] | undefined } | undefined,
  next: { readonly executables?: readonly ProfileExecutable[] | undefined },
): ProfileChange[] {
  // a learned profile without an exec section keeps the enforced one (promoteProfile): no change
  if (next.executables === undefined) return [];
  const key = (e: ProfileExecutable): string => `${e.path}\0${e.exe}`;
  const before = new Map((current?.executables ?? []).map((e) => [key(e), e]));
  const after = new Map(next.executables.map((e) => [key(e), e]));
  const changes: ProfileChange[] = [];
  const change = (path: string, kind: ProfileChange['change'], details: string[]): void => {
    changes.push({ section: 'executables', path, change: kind, details });
  };
  for (const [k, e] of after) {
    const old = before.get(k);
    if (old === undefined) {
      change(e.path, 'added', [`exe ${e.exe}`]);
      continue;
    }
    const details: string[] = [];
    if (old.sha256 !== e.sha256) details.push(`sha256: ${old.sha256 ?? '-'} -> ${e.sha256 ?? '-'}`);
    if (old.users.join(',') !== e.users.join(','))
      details.push(`users: ${old.users.join(',')} -> ${e.users.join(',')}`);
    if (old.parents.join(',') !== e.parents.join(','))
      details.push(`parents: ${old.parents.join(',')} -> ${e.parents.join(',')}`);
    if (details.length > 0) change(e.path, 'changed', details);
  }
  for (const [k, e] of before) if (!after.has(k)) change(e.path, 'removed', [`exe ${e.exe}`]);
  if (current !== undefined && current.executables === undefined)
    changes.push({
      section: 'executables',
      path: '(exec section)',
      change: 'added',
      details: [`${next.executables.length} executable(s); execs outside them become BH-W-001`],
    });
  return changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** What promoting `next` over `current` would change (counts and first/last seen are not a change). */
export function diffProfiles(current: Profile | undefined, next: Profile): ProfileChange[] {
  const changes = execChanges(current, next);
  // likewise a learned profile without a network section keeps the enforced one
  if (next.network !== undefined)
    for (const c of diffNetworkSections(current?.network, next.network))
      changes.push({ section: 'network', path: c.entry, change: c.change, details: [] });
  if (current !== undefined && current.mode !== next.mode)
    changes.push({
      section: 'mode',
      path: '(mode)',
      change: 'changed',
      details: [`mode: ${current.mode ?? '-'} -> ${next.mode ?? '-'}`],
    });
  return changes;
}

/** Whether promoting `next` over `current` changes what the network stage enforces. */
export function networkChanged(current: Profile | undefined, next: Profile): boolean {
  return next.network !== undefined && diffNetworkSections(current?.network, next.network).length > 0;
}

/**
 * The enforced profile that promoting `learned` yields: the learned content, the next version. A section the
 * learned profile does not have (a network-only profile learned by `watch net`, or an exec-only one) keeps the
 * enforced profile's, so promoting what one learner learned never drops what the other had in force.
 */
export function promoteProfile(current: Profile | undefined, learned: Profile): Profile {
  const keepExec = learned.executables === undefined && current?.executables !== undefined;
  return {
    ...learned,
    version: Math.max(current?.version ?? 0, learned.version - 1) + 1,
    ...(current?.mode === undefined ? {} : { mode: current.mode }),
    ...(keepExec ? { executables: current.executables } : {}),
    ...(keepExec && current.learning !== undefined ? { learning: current.learning } : {}),
    ...(current?.network === undefined || learned.network !== undefined ? {} : { network: current.network }),
  };
}

/** What `watch profile promote` did to one image's enforced file. */
export interface Promotion {
  readonly file: string;
  readonly profile: Profile | undefined;
  /** The network section changed: a running `watch net` re-reads it (and in deny mode rebuilds its tables). */
  readonly networkChanged: boolean;
}

/**
 * Promotes `learned` into the image's enforced file under the file's lock, over what the file holds at that moment
 * (a concurrent promote or migration), not what was read before.
 */
export function promoteToEnforced(dir: string, digest: string, learned: Profile): Promotion {
  const file = profileFile(dir, digest, 'enforced');
  const seen = { networkChanged: false };
  const profile = updateProfileFile(file, (current) => {
    seen.networkChanged = networkChanged(current, learned);
    return promoteProfile(current, learned);
  });
  return { file, profile, networkChanged: seen.networkChanged };
}
