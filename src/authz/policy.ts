// The authorization policy: a YAML file validated with zod, every error reported with its line and column.
// Users are TLS client-certificate CNs (what dockerd puts in AuthZReq.User); unix-socket requests carry no user
// and get the explicit `anonymous` identity. Roles hold ordered allow/deny rules over actions and resources;
// constraint profiles hold the request-body rules. Anything not allowed is denied.
import { z } from 'zod';
import { InputError } from '../shared/errors.js';
import { parseYaml } from '../shared/yaml.js';
import { readTextInput } from '../shared/files.js';
import { DEFAULT_SENSITIVE_PATHS } from './host-paths.js';
import { ACTION_BY_NAME, ACTIONS, type ActionInfo } from './routes.js';
import { globMatch, hasGlob } from '../shared/glob.js';

const nonEmpty = z.string().min(1);
const absolutePath = z.string().regex(/^\//, 'must be an absolute path');

const pathList = z.array(absolutePath);

/**
 * `sensitivePaths` (docs/authz.md "Sensitive paths"): a plain list or `{extend: [...]}` ADDS to the defaults (so a
 * policy written before a default was added gets it too); `{replace: [...]}` is the only way to drop defaults, and
 * the loader warns about it. The engine's own paths learned at run time are added in every form.
 */
const sensitivePathsSchema = z
  .union([pathList, z.strictObject({ extend: pathList }), z.strictObject({ replace: pathList })], {
    error:
      'sensitivePaths is a list of absolute paths (added to the defaults), {extend: [...]} or {replace: [...]}',
  })
  .optional()
  .transform((value): string[] => {
    if (value !== undefined && !Array.isArray(value) && 'replace' in value)
      return [...new Set(value.replace)];
    const extra = value === undefined ? [] : Array.isArray(value) ? value : value.extend;
    return [...new Set([...DEFAULT_SENSITIVE_PATHS, ...extra])];
  });

const constraintsSchema = z.strictObject({
  /** May containers (and execs) be privileged? */
  privileged: z.boolean().default(false),
  /** Capabilities that may be added (CapAdd), e.g. [NET_BIND_SERVICE]; "ALL" only if listed. */
  capabilities: z.array(nonEmpty).default([]),
  /** May containers use the host's pid/ipc/uts/network/cgroup namespaces? */
  hostNamespaces: z.boolean().default(false),
  /** May containers run with --userns=host? */
  usernsHost: z.boolean().default(false),
  /**
   * Host paths no bind mount or local-volume device may expose (the path, inside it, or an ancestor of it): the
   * defaults plus the policy's list, or only the list with `{replace: [...]}`.
   */
  sensitivePaths: sensitivePathsSchema,
  /** If set, bind sources must lie under one of these host paths (globs allowed). */
  bindSources: z.array(absolutePath).optional(),
  /** May containers get host devices (Devices, DeviceCgroupRules, DeviceRequests)? */
  devices: z.boolean().default(false),
  /** May seccomp/AppArmor/SELinux be disabled or replaced (seccomp=unconfined, custom profiles, MaskedPaths)? */
  unconfined: z.boolean().default(false),
  /** May containers inherit another container's mounts (VolumesFrom)? */
  volumesFrom: z.boolean().default(false),
  /** Volume drivers containers and `docker volume create` may use; third-party drivers can mount host paths. */
  volumeDrivers: z.array(nonEmpty).default(['local']),
  /**
   * Filesystem types the local volume driver may mount (DriverOpts / Mounts[].VolumeOptions.DriverConfig `type`):
   * "none" with o=bind binds a host path (checked like a bind mount), "tmpfs" is memory. Add "nfs", "overlay"...
   * deliberately: every path in `o` and a bind `device` are still checked.
   */
  localVolumeTypes: z.array(nonEmpty).default(['none', 'tmpfs']),
  /**
   * CgroupParent values containers may use (globs); none by default: "/" is the root cgroup, outside every limit
   * Docker sets, and another service's cgroup shares its limits.
   */
  cgroupParents: z.array(nonEmpty).default([]),
  /** The lowest OomScoreAdj allowed; -1000 makes a container unkillable by the OOM killer (the host's processes die). */
  oomScoreAdjMin: z.number().int().min(-1000).max(1000).default(0),
  /** Required OCI runtime, e.g. runsc; containers with any other (or the default) runtime are denied. */
  runtime: nonEmpty.optional(),
  /** Image registry allow-list: "docker.io/library", "registry.example.com", globs. */
  registries: z.array(nonEmpty).optional(),
  /** May exec processes run as root (or as the container's default user, which may be root)? */
  execRoot: z.boolean().default(false),
});

export type Constraints = z.infer<typeof constraintsSchema>;

const ruleSchema = z
  .strictObject({
    name: nonEmpty.optional(),
    allow: z.array(nonEmpty).min(1).optional(),
    deny: z.array(nonEmpty).min(1).optional(),
    /** Resource patterns (container names or ids, image names, volume names...); absent = any resource. */
    resources: z.array(nonEmpty).min(1).optional(),
    /** Constraint profile for body rules: a name under `constraints`, "default", or "unrestricted". */
    constraints: nonEmpty.optional(),
    /** Text for the deny message. */
    message: nonEmpty.optional(),
  })
  .refine((r) => (r.allow === undefined) !== (r.deny === undefined), {
    message: 'a rule has exactly one of allow: or deny:',
  });

const rolesList = z.array(nonEmpty).default([]);

export const policySchema = z.strictObject({
  version: z.literal(1),
  anonymous: z.strictObject({ roles: rolesList }).optional(),
  users: z.record(nonEmpty, z.strictObject({ roles: rolesList }).nullable()).default({}),
  groups: z
    .record(nonEmpty, z.strictObject({ members: z.array(nonEmpty).default([]), roles: rolesList }))
    .default({}),
  roles: z.record(nonEmpty, z.array(ruleSchema)),
  constraints: z.record(nonEmpty, constraintsSchema).default({}),
});

export type PolicyDocument = z.infer<typeof policySchema>;

export interface CompiledRule {
  /** "role/name" or "role#index", written to the decision log. */
  readonly id: string;
  readonly effect: 'allow' | 'deny';
  readonly actions: ReadonlySet<string>;
  readonly resources: readonly string[] | undefined;
  readonly constraints: Constraints | 'unrestricted';
  readonly message: string | undefined;
}

export interface Policy {
  readonly source: string;
  /** "file:line:col: ..." notes that do not stop the policy (a `sensitivePaths: {replace: ...}`, ...). */
  readonly warnings: readonly string[];
  readonly users: ReadonlyMap<string, readonly CompiledRule[]>;
  readonly anonymous: readonly CompiledRule[];
  readonly knownUsers: ReadonlySet<string>;
}

export const DEFAULT_CONSTRAINTS: Constraints = constraintsSchema.parse({});

/** Expands an action pattern: a name, a glob ("container_*"), "@read-only", "@all". */
export function expandActions(pattern: string): ActionInfo[] {
  if (pattern === '@all' || pattern === '*') return [...ACTIONS];
  if (pattern === '@read-only') return ACTIONS.filter((a) => a.category === 'read');
  if (pattern === '@exec') return ACTIONS.filter((a) => a.category === 'exec');
  if (hasGlob(pattern)) return ACTIONS.filter((a) => globMatch(pattern, a.name));
  const action = ACTION_BY_NAME.get(pattern);
  return action === undefined ? [] : [action];
}

interface Located {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

function semanticErrors(doc: PolicyDocument): Located[] {
  const errors: Located[] = [];
  const roleNames = new Set(Object.keys(doc.roles));
  const checkRoles = (roles: readonly string[], path: (string | number)[]): void => {
    roles.forEach((role, i) => {
      if (!roleNames.has(role)) errors.push({ path: [...path, i], message: `unknown role "${role}"` });
    });
  };
  if (doc.anonymous !== undefined) checkRoles(doc.anonymous.roles, ['anonymous', 'roles']);
  for (const [user, entry] of Object.entries(doc.users))
    checkRoles(entry?.roles ?? [], ['users', user, 'roles']);
  for (const [group, entry] of Object.entries(doc.groups)) {
    checkRoles(entry.roles, ['groups', group, 'roles']);
    entry.members.forEach((member, i) => {
      if (!(member in doc.users)) {
        errors.push({
          path: ['groups', group, 'members', i],
          message: `member "${member}" is not listed under users:`,
        });
      }
    });
  }
  for (const name of Object.keys(doc.constraints)) {
    if (name === 'unrestricted') {
      errors.push({
        path: ['constraints', name],
        message: '"unrestricted" is built in and cannot be redefined',
      });
    }
  }
  for (const [role, rules] of Object.entries(doc.roles)) {
    rules.forEach((rule, i) => {
      const key = rule.allow !== undefined ? 'allow' : 'deny';
      (rule.allow ?? rule.deny ?? []).forEach((pattern, j) => {
        if (expandActions(pattern).length === 0) {
          errors.push({
            path: ['roles', role, i, key, j],
            message: `unknown action "${pattern}" (see \`bulkhead authz actions\` or docs/authz.md)`,
          });
        }
      });
      const c = rule.constraints;
      if (c !== undefined && c !== 'unrestricted' && c !== 'default' && !(c in doc.constraints)) {
        errors.push({
          path: ['roles', role, i, 'constraints'],
          message: `unknown constraints profile "${c}"`,
        });
      }
    });
  }
  return errors;
}

function compile(doc: PolicyDocument, source: string, warnings: readonly string[]): Policy {
  const profile = (name: string | undefined): Constraints | 'unrestricted' => {
    if (name === 'unrestricted') return 'unrestricted';
    return doc.constraints[name ?? 'default'] ?? DEFAULT_CONSTRAINTS;
  };
  const roleRules = new Map<string, CompiledRule[]>();
  for (const [role, rules] of Object.entries(doc.roles)) {
    roleRules.set(
      role,
      rules.map((rule, i) => ({
        id: `${role}/${rule.name ?? `#${i + 1}`}`,
        effect: rule.allow !== undefined ? 'allow' : 'deny',
        actions: new Set((rule.allow ?? rule.deny ?? []).flatMap((p) => expandActions(p).map((a) => a.name))),
        resources: rule.resources,
        constraints: profile(rule.constraints),
        message: rule.message,
      })),
    );
  }
  const rulesFor = (roles: readonly string[]): CompiledRule[] => [
    ...new Set(roles.flatMap((r) => roleRules.get(r) ?? [])),
  ];
  const users = new Map<string, readonly CompiledRule[]>();
  for (const [user, entry] of Object.entries(doc.users)) {
    const groupRoles = Object.values(doc.groups)
      .filter((g) => g.members.includes(user))
      .flatMap((g) => g.roles);
    users.set(user, rulesFor([...(entry?.roles ?? []), ...groupRoles]));
  }
  return {
    source,
    warnings,
    users,
    anonymous: rulesFor(doc.anonymous?.roles ?? []),
    knownUsers: new Set(Object.keys(doc.users)),
  };
}

/** Parses and validates policy text; throws InputError with "file:line:col: message" lines. */
export function parsePolicy(text: string, source: string): Policy {
  const { doc, positionOf } = parseYaml(text, source);
  const raw: unknown = doc.toJS({ maxAliasCount: 100 });
  const result = policySchema.safeParse(raw);
  const located: Located[] = result.success
    ? semanticErrors(result.data)
    : result.error.issues.map((issue) => ({
        path: issue.path.filter((p): p is string | number => typeof p !== 'symbol'),
        message: `${issue.path.join('.') || '(document)'}: ${issue.message}`,
      }));
  if (located.length > 0 || !result.success) {
    const lines = located.map((e) => {
      const pos = positionOf(e.path);
      return pos === undefined ? `${source}: ${e.message}` : `${source}:${pos}: ${e.message}`;
    });
    throw new InputError(source, `${located.length} policy error(s):\n${lines.join('\n')}`, {
      hint: 'fix the policy; docs/authz.md describes every key (examples/authz/policy.yaml is a commented start)',
    });
  }
  const warnings = sensitivePathWarnings(raw).map((w) => {
    const pos = positionOf(w.path);
    return pos === undefined ? `${source}: ${w.message}` : `${source}:${pos}: ${w.message}`;
  });
  return compile(result.data, source, warnings);
}

/** Notes on `sensitivePaths` forms that protect less than the defaults, or did before (a plain list replaced them). */
function sensitivePathWarnings(raw: unknown): Located[] {
  const out: Located[] = [];
  const profiles =
    (raw as { constraints?: Record<string, { sensitivePaths?: unknown } | null> }).constraints ?? {};
  for (const [name, profile] of Object.entries(profiles)) {
    const value = profile?.sensitivePaths;
    const path = ['constraints', name, 'sensitivePaths'];
    if (Array.isArray(value)) {
      const missing = DEFAULT_SENSITIVE_PATHS.filter((d) => !value.includes(d));
      if (missing.length > 0) {
        out.push({
          path,
          message: `a plain sensitivePaths list adds to the defaults, so ${missing.join(' ')} still apply; write {extend: [...]} to say so, or {replace: [...]} to protect only your list`,
        });
      }
    } else if (
      typeof value === 'object' &&
      value !== null &&
      'replace' in value &&
      Array.isArray(value.replace)
    ) {
      const list: unknown[] = value.replace;
      const dropped = DEFAULT_SENSITIVE_PATHS.filter((d) => !list.includes(d));
      out.push({
        path,
        message:
          dropped.length === 0
            ? 'sensitivePaths replaces the defaults (it lists them all; defaults added later will not apply)'
            : `sensitivePaths replaces the defaults: ${dropped.join(' ')} are NOT protected for profile "${name}"`,
      });
    }
  }
  return out;
}

/**
 * The policy with `extra` host paths added to every constraint profile's sensitivePaths (the engine's data root,
 * exec root and sockets learned at run time); profiles shared by several rules stay shared.
 */
export function withSensitivePaths(policy: Policy, extra: readonly string[]): Policy {
  if (extra.length === 0) return policy;
  const mapped = new Map<Constraints, Constraints>();
  const widen = (c: Constraints | 'unrestricted'): Constraints | 'unrestricted' => {
    if (c === 'unrestricted') return c;
    let out = mapped.get(c);
    if (out === undefined) {
      out = { ...c, sensitivePaths: [...new Set([...c.sensitivePaths, ...extra])] };
      mapped.set(c, out);
    }
    return out;
  };
  const rules = new Map<CompiledRule, CompiledRule>();
  const rule = (r: CompiledRule): CompiledRule => {
    let out = rules.get(r);
    if (out === undefined) {
      out = { ...r, constraints: widen(r.constraints) };
      rules.set(r, out);
    }
    return out;
  };
  return {
    ...policy,
    users: new Map([...policy.users].map(([user, list]) => [user, list.map(rule)])),
    anonymous: policy.anonymous.map(rule),
  };
}

export function loadPolicy(file: string): Policy {
  return parsePolicy(
    readTextInput(file, 'policy', 'pass an existing, readable YAML file with --policy'),
    file,
  );
}
