// The host profile of host application control (watch --host; docs/watch.md "Host application control"): one YAML
// file in the profile directory, `host.learned.yaml` while learning and `host.yaml` once promoted: the host's
// executables by real path and sha256 with users and parents, each saying whether a package vouches for it (dpkg
// md5sums / rpm digests) and which required role it fills (init, shell, dockerd, bulkhead). Same validation
// (file:line:column), lock and diff/promote as the per-image profiles of profile.ts.
import { join } from 'node:path';
import { z } from 'zod';
import { readTextInput } from '../shared/files.js';
import {
  execChanges,
  executableSchema,
  parseWithSchema,
  updateLockedProfile,
  WATCH_MODES,
  writeProfileYaml,
  type ProfileChange,
} from './profile.js';

/** The target name `watch profile show|diff|promote` takes for the host profile. */
export const HOST_TARGET = 'host';

export const HOST_ROLES = ['init', 'shell', 'dockerd', 'bulkhead'] as const;
export type HostRole = (typeof HOST_ROLES)[number];

const hostExecutableSchema = executableSchema.extend({
  /**
   * The package that owns the file, and whether the file matched the package's digest when it was learned (null:
   * not checked: the package recorded none, or the file is not on a marked filesystem).
   */
  package: z
    .strictObject({
      manager: z.enum(['dpkg', 'rpm']),
      name: z.string().min(1),
      verified: z.boolean().nullable(),
    })
    .optional(),
  /** The role that makes this entry required for deny mode. */
  required: z.enum(HOST_ROLES).optional(),
});
export type HostExecutable = z.infer<typeof hostExecutableSchema>;

export const hostProfileSchema = z.strictObject({
  apiVersion: z.literal('bulkhead.dev/v1'),
  kind: z.literal('HostProfile'),
  host: z.strictObject({ name: z.string() }),
  /** Increases on every promote; events record the version that judged them. */
  version: z.number().int().positive(),
  mode: z.enum(WATCH_MODES).optional(),
  learning: z
    .strictObject({
      started: z.iso.datetime(),
      updated: z.iso.datetime(),
      events: z.number().int().nonnegative(),
    })
    .optional(),
  executables: z.array(hostExecutableSchema),
});
export type HostProfile = z.infer<typeof hostProfileSchema>;

export function hostProfileFile(dir: string, kind: 'enforced' | 'learned'): string {
  return join(dir, kind === 'learned' ? 'host.learned.yaml' : 'host.yaml');
}

export function parseHostProfile(text: string, source: string): HostProfile {
  return parseWithSchema(text, source, hostProfileSchema, 'host profile');
}

export function loadHostProfile(file: string): HostProfile {
  return parseHostProfile(readTextInput(file, 'host profile', 'check --profiles DIR'), file);
}

function saveHostProfile(file: string, profile: HostProfile): void {
  writeProfileYaml(
    file,
    `# bulkhead host profile for ${profile.host.name} (docs/watch.md "Host application control")\n`,
    profile,
  );
}

/** Read-merge-write under the file's lock (profile.ts updateProfileFile); a file that does not parse is never overwritten. */
export function updateHostProfileFile(
  file: string,
  update: (current: HostProfile | undefined) => HostProfile | undefined,
): HostProfile | undefined {
  return updateLockedProfile(
    file,
    loadHostProfile,
    (next) => {
      saveHostProfile(file, hostProfileSchema.parse(next));
    },
    update,
  );
}

export function emptyHostProfile(name: string, now: Date): HostProfile {
  return {
    apiVersion: 'bulkhead.dev/v1',
    kind: 'HostProfile',
    host: { name },
    version: 1,
    learning: { started: now.toISOString(), updated: now.toISOString(), events: 0 },
    executables: [],
  };
}

export interface LearnedHostExec {
  readonly exe: string;
  readonly sha256: string | undefined;
  readonly uid: number | undefined;
  readonly parent: string | undefined;
  readonly package: HostExecutable['package'];
  readonly required?: HostRole | undefined;
  /** Not an exec seen (a seeded required entry or a running process): the event count stays. */
  readonly seeded?: boolean;
}

function addSorted<T>(list: readonly T[], item: T | undefined): T[] {
  return item === undefined || list.includes(item) ? [...list] : [...list, item].sort();
}

function byPath(a: HostExecutable, b: HostExecutable): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

/** The profile after one more host exec (pure). Host entries are keyed by the real path: path and exe agree. */
export function learnHostExec(profile: HostProfile, exec: LearnedHostExec, now: Date): HostProfile {
  const index = profile.executables.findIndex((e) => e.path === exec.exe);
  const old = index >= 0 ? profile.executables[index] : undefined;
  const sha256 = exec.sha256 ?? old?.sha256;
  const pkg = exec.package ?? old?.package;
  const required = exec.required ?? old?.required;
  const entry: HostExecutable = {
    path: exec.exe,
    exe: exec.exe,
    ...(sha256 === undefined ? {} : { sha256 }),
    users: addSorted(old?.users ?? [], exec.uid),
    parents: addSorted(old?.parents ?? [], exec.parent),
    count: (old?.count ?? 0) + (exec.seeded === true ? 0 : 1),
    ...(pkg === undefined ? {} : { package: pkg }),
    ...(required === undefined ? {} : { required }),
  };
  const executables = [...profile.executables];
  if (index >= 0) executables[index] = entry;
  else executables.push(entry);
  executables.sort(byPath);
  const learning = profile.learning ?? { started: now.toISOString(), updated: now.toISOString(), events: 0 };
  return {
    ...profile,
    learning: {
      ...learning,
      updated: now.toISOString(),
      events: learning.events + (exec.seeded === true ? 0 : 1),
    },
    executables,
  };
}

/** The learner's write over what the file has: the union of both (the learner started from the file). */
export function mergeHostLearned(current: HostProfile | undefined, learned: HostProfile): HostProfile {
  if (current === undefined) return learned;
  const byKey = new Map(current.executables.map((e) => [e.path, e]));
  for (const e of learned.executables) {
    const old = byKey.get(e.path);
    byKey.set(
      e.path,
      old === undefined
        ? e
        : {
            ...old,
            ...e,
            users: [...new Set([...old.users, ...e.users])].sort(),
            parents: [...new Set([...old.parents, ...e.parents])].sort(),
            count: Math.max(old.count, e.count),
          },
    );
  }
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
  return {
    ...current,
    ...(learning === undefined ? {} : { learning }),
    executables: [...byKey.values()].sort(byPath),
  };
}

/** What promoting `next` over `current` would change, package vouching included. */
export function diffHostProfiles(current: HostProfile | undefined, next: HostProfile): ProfileChange[] {
  const changes = execChanges(current, next).map((c) => {
    const entry = next.executables.find((e) => e.path === c.path);
    if (c.change !== 'added' || entry === undefined) return c;
    const pkg = entry.package;
    const vouch =
      pkg === undefined
        ? 'no package owns it'
        : `package ${pkg.name} (${pkg.manager}${pkg.verified === false ? ', DIGEST MISMATCH' : pkg.verified === true ? ', digest verified' : ', digest not checked'})`;
    return {
      ...c,
      details: [
        ...c.details,
        vouch,
        ...(entry.required === undefined ? [] : [`required: ${entry.required}`]),
      ],
    };
  });
  const before = new Map((current?.executables ?? []).map((e) => [e.path, e]));
  for (const e of next.executables) {
    const old = before.get(e.path);
    if (old === undefined || JSON.stringify(old.package) === JSON.stringify(e.package)) continue;
    changes.push({
      section: 'executables',
      path: e.path,
      change: 'changed',
      details: [
        `package: ${old.package?.name ?? '-'} -> ${e.package?.name ?? '-'} (verified ${String(e.package?.verified ?? '-')})`,
      ],
    });
  }
  return changes.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
}

/** The enforced host profile that promoting `learned` yields: its content, the next version, the file's mode. */
export function promoteHostProfile(current: HostProfile | undefined, learned: HostProfile): HostProfile {
  return {
    ...learned,
    version: Math.max(current?.version ?? 0, learned.version - 1) + 1,
    ...(current?.mode === undefined ? {} : { mode: current.mode }),
  };
}
