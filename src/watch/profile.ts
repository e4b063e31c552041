// Process profiles, one YAML file per image digest (docs/watch.md "Profiles"): executables by invoked path and
// content hash with their users and parents, the learning window and event count; learn/merge, diff, promote.
// A learned profile lives in `<hex>.learned.yaml` and is enforced only once promoted to `<hex>.yaml`.
import { existsSync, mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { z } from 'zod';
import { InputError } from '../shared/errors.js';
import { readTextInput } from '../shared/files.js';
import { parseYaml } from '../shared/yaml.js';

export const WATCH_MODES = ['learn', 'alert', 'kill', 'deny'] as const;
export type WatchMode = (typeof WATCH_MODES)[number];

const DIGEST = /^sha256:[0-9a-f]{64}$/;

const executableSchema = z.strictObject({
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

/**
 * The network section belongs to `bulkhead watch flows` (src/net): watch keeps it as it is, validates only that
 * it is a mapping, and writes it back unchanged. src/net narrows it with its own schema.
 */
export const profileNetworkSchema = z.record(z.string(), z.unknown());
export type ProfileNetwork = z.infer<typeof profileNetworkSchema>;

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
  learning: z.strictObject({
    started: z.iso.datetime(),
    updated: z.iso.datetime(),
    events: z.number().int().nonnegative(),
  }),
  executables: z.array(executableSchema),
  network: profileNetworkSchema.optional(),
});
export type Profile = z.infer<typeof profileSchema>;

export type ProfileKind = 'enforced' | 'learned';

export function profileFile(dir: string, digest: string, kind: ProfileKind): string {
  const hex = digest.replace(/^sha256:/, '');
  return join(dir, kind === 'learned' ? `${hex}.learned.yaml` : `${hex}.yaml`);
}

/** Parses profile text; throws InputError whose message has one "file:line:col: message" line per problem. */
export function parseProfile(text: string, source: string): Profile {
  const { doc, positionOf } = parseYaml(text, source, {
    hint: 'fix the profile; the last good profile stays in force meanwhile',
  });
  const result = profileSchema.safeParse(doc.toJS({ maxAliasCount: 100 }));
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    const pos = positionOf(path);
    const where = pos === undefined ? source : `${source}:${pos}`;
    return `${where}: ${path.join('.') || '(document)'}: ${issue.message}`;
  });
  throw new InputError(source, `${lines.length} profile error(s):\n${lines.join('\n')}`, {
    hint: 'fix the profile (docs/watch.md describes every key); the last good profile stays in force meanwhile',
  });
}

export function loadProfile(file: string): Profile {
  return parseProfile(readTextInput(file, 'watch profile', 'check --profiles DIR'), file);
}

/** Writes a profile atomically (temp file + rename), so a reader never sees half a file. */
export function saveProfile(file: string, profile: Profile): void {
  mkdirSync(join(file, '..'), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  const header = `# bulkhead watch profile for ${profile.image.names[0] ?? profile.image.digest} (docs/watch.md)\n`;
  writeFileSync(tmp, header + stringify(profile, { lineWidth: 0 }));
  renameSync(tmp, file);
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
  const index = profile.executables.findIndex((e) => e.path === exec.path && e.exe === exec.exe);
  const old = index >= 0 ? profile.executables[index] : undefined;
  const entry: ProfileExecutable = {
    path: exec.path,
    exe: exec.exe,
    ...((exec.sha256 ?? old?.sha256) === undefined ? {} : { sha256: exec.sha256 ?? old?.sha256 }),
    users: addSorted(old?.users ?? [], exec.uid),
    parents:
      exec.parent === undefined ? [...(old?.parents ?? [])] : addSorted(old?.parents ?? [], exec.parent),
    count: (old?.count ?? 0) + 1,
  };
  const executables = [...profile.executables];
  if (index >= 0) executables[index] = entry;
  else executables.push(entry);
  executables.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return {
    ...profile,
    learning: { ...profile.learning, updated: now.toISOString(), events: profile.learning.events + 1 },
    executables,
  };
}

export interface ProfileChange {
  readonly path: string;
  readonly change: 'added' | 'removed' | 'changed';
  /** For "changed": which fields differ, "field: old -> new". */
  readonly details: readonly string[];
}

/** What promoting `next` over `current` would change (counts are not a change). */
export function diffProfiles(current: Profile | undefined, next: Profile): ProfileChange[] {
  const key = (e: ProfileExecutable): string => `${e.path}\0${e.exe}`;
  const before = new Map((current?.executables ?? []).map((e) => [key(e), e]));
  const after = new Map(next.executables.map((e) => [key(e), e]));
  const changes: ProfileChange[] = [];
  for (const [k, e] of after) {
    const old = before.get(k);
    if (old === undefined) {
      changes.push({ path: e.path, change: 'added', details: [`exe ${e.exe}`] });
      continue;
    }
    const details: string[] = [];
    if (old.sha256 !== e.sha256) details.push(`sha256: ${old.sha256 ?? '-'} -> ${e.sha256 ?? '-'}`);
    if (old.users.join(',') !== e.users.join(','))
      details.push(`users: ${old.users.join(',')} -> ${e.users.join(',')}`);
    if (old.parents.join(',') !== e.parents.join(','))
      details.push(`parents: ${old.parents.join(',')} -> ${e.parents.join(',')}`);
    if (details.length > 0) changes.push({ path: e.path, change: 'changed', details });
  }
  for (const [k, e] of before)
    if (!after.has(k)) changes.push({ path: e.path, change: 'removed', details: [`exe ${e.exe}`] });
  if (current !== undefined && current.mode !== next.mode)
    changes.push({
      path: '(mode)',
      change: 'changed',
      details: [`mode: ${current.mode ?? '-'} -> ${next.mode ?? '-'}`],
    });
  return changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The enforced profile that promoting `learned` yields: the learned content, the next version. */
export function promoteProfile(current: Profile | undefined, learned: Profile): Profile {
  return {
    ...learned,
    version: Math.max(current?.version ?? 0, learned.version - 1) + 1,
    ...(current?.mode === undefined ? {} : { mode: current.mode }),
    ...(current?.network === undefined || learned.network !== undefined ? {} : { network: current.network }),
  };
}
