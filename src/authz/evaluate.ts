// Decides one AuthZReq against a policy: identity -> rules, deny rules first, then the first allow rule whose
// resource patterns match and whose constraint profile the request body satisfies; everything else is denied
// with a message that says why. Containers and exec ids are resolved as dockerd will resolve them.
import {
  readContainerCreate,
  readExecCreate,
  readStartHostConfig,
  readVolumeCreate,
  type ContainerCreateFacts,
  type MountFact,
} from './bodies.js';
import type { JsonNode } from './go-json.js';
import { globMatch, hasGlob } from '../shared/glob.js';
import { exposedSensitivePath, resolveHostPath } from './host-paths.js';
import { mayBeImageIdPrefix, parseImageRef } from '../shared/image-ref.js';
import { judgeLocalVolume } from './local-volume.js';
import { registryAllowed } from './registry-allow-list.js';
import { isRootUser } from '../shared/user.js';
import type { CompiledRule, Constraints, Policy } from './policy.js';
import { identityName, queryGet, type DecodedRequest } from './request.js';
import { localVolumeBindSource, type ContainerInfo, type Resolver } from './resolver.js';

export interface Decision {
  readonly allow: boolean;
  readonly msg: string;
  /** The rule that decided, or the reason class ("request", "identity", "default-deny", "resolve"). */
  readonly rule: string;
  readonly action: string;
  readonly resource: string;
  readonly user: string;
}

/** One thing the rule applies to, as every name it is known by (container name and id, image ref forms). */
type Target = readonly string[];

class Deny extends Error {
  constructor(
    readonly reason: string,
    readonly rule: string,
  ) {
    super(reason);
  }
}

/** Go's unicode.ToUpper applied per code point (simple mapping: "ß" stays, "ſ" becomes "S"). */
export function goToUpper(s: string): string {
  let out = '';
  for (const ch of s) {
    const up = ch.toUpperCase();
    out += Array.from(up).length === 1 ? up : ch;
  }
  return out;
}

/** dockerd's caps.NormalizeLegacyCapabilities: upper-case, "CAP_" prefix, "ALL" kept. */
export function normalizeCapability(cap: string): string {
  const up = goToUpper(cap);
  if (up === 'ALL') return up;
  return up.startsWith('CAP_') ? up : `CAP_${up}`;
}

function namespaceViolations(facts: ContainerCreateFacts, c: Constraints): string[] {
  const out: string[] = [];
  for (const { field, value } of facts.namespaces) {
    if (value.trim().toLowerCase() !== 'host') continue;
    if (field === 'UsernsMode') {
      if (!c.usernsHost) out.push('UsernsMode=host (no user-namespace remapping) is not allowed');
    } else if (!c.hostNamespaces) out.push(`${field}=host (the host's namespace) is not allowed`);
  }
  return out;
}

function securityOptViolations(opts: readonly string[]): string[] {
  const out: string[] = [];
  for (const opt of opts) {
    if (opt === 'no-new-privileges') continue;
    if (opt === 'disable') {
      out.push('SecurityOpt "disable" turns SELinux labelling off');
      continue;
    }
    // daemon parseSecurityOpt: split on the first "=", else (deprecated) on the first ":"
    const sep = opt.includes('=') ? '=' : ':';
    const at = opt.indexOf(sep);
    if (at < 0) continue;
    const key = opt.slice(0, at).toLowerCase();
    const value = opt.slice(at + 1);
    if (key === 'seccomp') {
      out.push(
        value === 'unconfined'
          ? 'seccomp=unconfined is not allowed'
          : 'a custom seccomp profile is not allowed (it can disable filtering)',
      );
    } else if (key === 'apparmor' && value !== 'docker-default') {
      if (value === 'unconfined') out.push('apparmor=unconfined is not allowed');
    } else if (key === 'label' && (value === 'disable' || value.startsWith('type:'))) {
      out.push(`SELinux label option "${value}" is not allowed`);
    } else if (key === 'systempaths' && value === 'unconfined') {
      out.push('systempaths=unconfined is not allowed');
    }
  }
  return out;
}

function mountViolations(mounts: readonly MountFact[], c: Constraints): string[] {
  const out: string[] = [];
  for (const m of mounts) {
    if (m.kind === 'volume') {
      if (m.localOptions !== undefined)
        out.push(
          ...localVolumeViolations(m.localOptions, `${m.origin}.VolumeOptions.DriverConfig.Options`, c),
        );
      continue;
    }
    if (m.kind === 'other') {
      out.push(`mount ${m.origin} (${m.source}) has a type bulkhead does not allow`);
      continue;
    }
    out.push(...hostPathViolations(m.origin, m.source, c));
  }
  return out;
}

/** Options of the local volume driver: type/flags/keys allow-listed, and every host path they name checked. */
function localVolumeViolations(
  options: ReadonlyMap<string, string>,
  origin: string,
  c: Constraints,
): string[] {
  const verdict = judgeLocalVolume(options, origin, c.localVolumeTypes);
  return [
    ...verdict.violations,
    ...verdict.hostPaths.flatMap((p) => hostPathViolations(p.origin, p.path, c)),
  ];
}

/** A host path a mount will reach, against sensitivePaths and bindSources (symlinks resolved on this host). */
function hostPathViolations(origin: string, source: string, c: Constraints): string[] {
  const exposed = exposedSensitivePath(source, c.sensitivePaths);
  const resolved = resolveHostPath(source);
  if (exposed !== undefined) {
    const shown = resolved === source ? source : `${source} -> ${resolved}`;
    return [`${origin} mounts host path ${shown}, which exposes sensitive path ${exposed}`];
  }
  if (c.bindSources === undefined) return [];
  const ok = c.bindSources.some((base) =>
    hasGlob(base)
      ? globMatch(base, resolved)
      : resolved === base || resolved.startsWith(`${base.replace(/\/+$/, '')}/`),
  );
  return ok ? [] : [`${origin} mounts host path ${resolved}, outside the allowed bind sources`];
}

const JOINABLE = { PidMode: 'pid', IpcMode: 'ipc', NetworkMode: 'network' } as const;

/** "container:X" -> "X" (api/types/container: the mode split on the first ":"; matched case-insensitively). */
function joinedContainer(mode: string): string | undefined {
  const m = /^container:([^\n]*)$/is.exec(mode.trim());
  return m === null ? undefined : m[1];
}

function modeOf(info: ContainerInfo, field: keyof typeof JOINABLE): string {
  if (field === 'PidMode') return info.pidMode ?? '';
  if (field === 'IpcMode') return info.ipcMode ?? '';
  return info.networkMode ?? '';
}

/**
 * `--pid/--ipc/--network container:X` shares X's namespace, which is the host's when X runs with `host` (or
 * itself joins such a container: dockerd uses /proc/<X's pid>/ns/..., so the chain is followed). X is resolved
 * through the engine at every create and start (dockerd resolves the name again at each start); when it cannot
 * be resolved the request is denied.
 */
async function namespaceJoinViolations(
  namespaces: ContainerCreateFacts['namespaces'],
  c: Constraints,
  resolver: Resolver,
): Promise<string[]> {
  if (c.hostNamespaces) return [];
  const out: string[] = [];
  for (const { field, value } of namespaces) {
    if (!(field === 'PidMode' || field === 'IpcMode' || field === 'NetworkMode')) continue;
    let target = joinedContainer(value);
    const chain: string[] = [];
    const seen = new Set<string>();
    while (target !== undefined) {
      if (chain.length >= 8) {
        out.push(`${field}=${value}: the chain of joined containers is longer than 8`);
        break;
      }
      const info = await resolver.container(target);
      if (info === undefined) {
        out.push(
          `${field}=${value}: container ${JSON.stringify(target)} cannot be resolved, so the namespace it shares cannot be checked`,
        );
        break;
      }
      if (seen.has(info.id)) {
        out.push(`${field}=${value}: the joined containers form a cycle`);
        break;
      }
      seen.add(info.id);
      chain.push(info.names[0] ?? info.id);
      const mode = modeOf(info, field);
      if (mode.trim().toLowerCase() === 'host') {
        out.push(
          `${field}=${value} joins ${chain.join(' -> ')}, which runs in the host's ${JOINABLE[field]} namespace`,
        );
        break;
      }
      target = joinedContainer(mode);
    }
  }
  return out;
}

/** `inner` is strictly inside `outer`. */
function strictlyInside(inner: string, outer: string): boolean {
  return inner !== outer && (outer === '/' || inner.startsWith(`${outer}/`));
}

interface OwnMount {
  readonly origin: string;
  readonly source: string;
  readonly rw: boolean;
}

/**
 * Bind sources another container can rewrite: a source strictly inside a host tree some other container mounts
 * writable (it can swap a path component for a symlink, and dockerd follows it at the next start), or a writable
 * source that strictly contains another container's source. Both are refused, at create and at start.
 */
async function sharedTreeViolations(
  own: readonly OwnMount[],
  resolver: Resolver,
  selfId: string | undefined,
): Promise<string[]> {
  if (own.length === 0) return [];
  const others = (await resolver.mountsInUse()).filter((m) => m.containerId !== selfId);
  const out: string[] = [];
  const resolvedOthers = others.map((o) => ({ ...o, real: resolveHostPath(o.source) }));
  for (const m of own) {
    const real = resolveHostPath(m.source);
    for (const o of resolvedOthers) {
      if (o.rw && strictlyInside(real, o.real)) {
        out.push(
          `${m.origin}: host path ${real} lies inside ${o.real}, which container ${o.container} can write (it could replace the path with a symlink before dockerd mounts it)`,
        );
        break;
      }
      if (m.rw && strictlyInside(o.real, real)) {
        out.push(
          `${m.origin}: writable host path ${real} contains ${o.real}, a bind source of container ${o.container} (this container could replace it with a symlink)`,
        );
        break;
      }
    }
  }
  return out;
}

/** The host paths a create (or start) body mounts: binds, and volumes whose local options bind a host path. */
async function ownHostMounts(facts: ContainerCreateFacts, resolver: Resolver): Promise<OwnMount[]> {
  const out: OwnMount[] = [];
  let volumeBinds: ReadonlyMap<string, string> | undefined;
  for (const m of facts.mounts) {
    if (m.kind === 'bind') out.push({ origin: m.origin, source: m.source, rw: !m.readOnly });
    else if (m.kind === 'volume') {
      const device =
        m.localOptions === undefined ? undefined : localVolumeBindSource(Object.fromEntries(m.localOptions));
      if (device !== undefined) {
        out.push({ origin: m.origin, source: device, rw: !m.readOnly });
        continue;
      }
      // an existing named local volume may bind a host path (docker volume create -o o=bind -o device=...)
      volumeBinds ??= await resolver.volumeBinds();
      const existing = volumeBinds.get(m.source);
      if (existing !== undefined) out.push({ origin: m.origin, source: existing, rw: !m.readOnly });
    }
  }
  return out;
}

/** The checks that need the engine: joined namespaces and host trees shared with other containers. */
async function engineViolations(
  facts: ContainerCreateFacts,
  c: Constraints,
  resolver: Resolver,
): Promise<string[]> {
  return [
    ...(await namespaceJoinViolations(facts.namespaces, c, resolver)),
    ...(await sharedTreeViolations(await ownHostMounts(facts, resolver), resolver, undefined)),
  ];
}

/**
 * Re-checks the container being started as dockerd will start it: its bind sources resolved now (a source that
 * did not exist at create may since have become a symlink), its joined namespaces resolved now, and its host
 * paths against other containers' writable trees.
 */
async function startViolations(ref: string, c: Constraints, resolver: Resolver): Promise<string[]> {
  const info = await resolver.container(ref);
  if (info === undefined) throw new Deny(`no such container ${JSON.stringify(ref)}`, 'resolve');
  const mounts = info.hostMounts ?? [];
  const out = mounts.flatMap((m, i) => hostPathViolations(`mount #${i + 1} (${m.source})`, m.source, c));
  out.push(
    ...(await namespaceJoinViolations(
      [
        { field: 'PidMode', value: info.pidMode ?? '' },
        { field: 'IpcMode', value: info.ipcMode ?? '' },
        { field: 'NetworkMode', value: info.networkMode ?? '' },
      ],
      c,
      resolver,
    )),
  );
  out.push(
    ...(await sharedTreeViolations(
      mounts.map((m, i) => ({ origin: `mount #${i + 1} (${m.source})`, source: m.source, rw: m.rw })),
      resolver,
      info.id,
    )),
  );
  return out;
}

function imageViolations(image: string, c: Constraints): string[] {
  if (c.registries === undefined) return [];
  const ref = mayBeImageIdPrefix(image) ? ({ kind: 'id', id: image } as const) : parseImageRef(image);
  switch (ref.kind) {
    case 'id':
      return [
        `image "${image}" is referenced by id, so its registry cannot be checked against the allow-list`,
      ];
    case 'invalid':
      return [ref.reason];
    case 'named':
      return registryAllowed(ref, c.registries)
        ? []
        : [`image ${ref.name} is not from an allowed registry (${c.registries.join(', ')})`];
    default:
      return ref satisfies never;
  }
}

export function containerViolations(facts: ContainerCreateFacts, c: Constraints): string[] {
  const out: string[] = [];
  if (facts.ambiguousHostConfig) {
    out.push('HostConfig fields appear both at the top level (deprecated form) and under HostConfig');
  }
  if (facts.privileged && !c.privileged) out.push('privileged containers are not allowed');
  const allowedCaps = new Set(c.capabilities.map(normalizeCapability));
  for (const cap of facts.capAdd) {
    const n = normalizeCapability(cap);
    if (!allowedCaps.has(n)) out.push(`capability ${n} may not be added`);
  }
  out.push(...namespaceViolations(facts, c));
  out.push(...mountViolations(facts.mounts, c));
  if (facts.devices.length > 0 && !c.devices)
    out.push(`host devices are not allowed (${facts.devices.join(', ')})`);
  if (!c.unconfined) {
    out.push(...securityOptViolations(facts.securityOpt));
    if (facts.maskedPathsCustom)
      out.push('custom MaskedPaths/ReadonlyPaths (systempaths=unconfined) are not allowed');
  }
  for (const driver of facts.volumeDrivers) {
    if (!c.volumeDrivers.includes(driver)) out.push(`volume driver ${driver} is not allowed`);
  }
  for (const driver of facts.volumeDrivers) {
    if (!c.volumeDrivers.includes(driver)) out.push(`volume driver ${driver} is not allowed`);
  }
  if (facts.volumesFrom.length > 0 && !c.volumesFrom) {
    out.push(`VolumesFrom (${facts.volumesFrom.join(', ')}) is not allowed`);
  }
  if (facts.cgroupParent !== '' && !c.cgroupParents.some((p) => globMatch(p, facts.cgroupParent))) {
    out.push(
      `CgroupParent ${JSON.stringify(facts.cgroupParent)} is not allowed${facts.cgroupParent.replace(/\/+$/, '') === '' ? ' (the root cgroup: no limits apply)' : ''}`,
    );
  }
  if (facts.oomScoreAdj < c.oomScoreAdjMin) {
    out.push(
      `OomScoreAdj ${facts.oomScoreAdj} is below ${c.oomScoreAdjMin}${facts.oomScoreAdj <= -1000 ? ' (-1000: the OOM killer never picks it, so host processes die instead)' : ''}`,
    );
  }
  if (c.runtime !== undefined && facts.runtime !== c.runtime) {
    out.push(
      `runtime must be ${c.runtime} (got ${facts.runtime === '' ? 'the default runtime' : facts.runtime})`,
    );
  }
  return out;
}

function requireJsonBody(req: DecodedRequest): JsonNode {
  const body = req.body;
  switch (body.state) {
    case 'json':
      if (body.trailing) throw new Deny('the JSON body has trailing data after the first value', 'request');
      return body.node;
    case 'empty':
      throw new Deny('the request has no body to check', 'request');
    case 'invalid':
      throw new Deny(body.error, 'request');
    case 'hidden':
      throw new Deny(`the body cannot be checked: ${body.reason}`, 'request');
    default:
      return body satisfies never;
  }
}

const UNCHECKABLE = new Set([
  'service_create',
  'service_update',
  'plugin_install',
  'plugin_create',
  'plugin_upgrade',
  'plugin_set',
  'plugin_enable',
]);

/** Body and parameter rules for one action under one constraint profile: the violations, empty when fine. */
async function constraintViolations(
  action: string,
  c: Constraints,
  req: DecodedRequest,
  resolver: Resolver,
): Promise<string[]> {
  switch (action) {
    case 'container_create': {
      const facts = readContainerCreate(requireJsonBody(req));
      if (!facts.ok) throw new Deny(facts.error, 'request');
      const local = [...containerViolations(facts.facts, c), ...imageViolations(facts.facts.image, c)];
      return local.length > 0 ? local : engineViolations(facts.facts, c, resolver);
    }
    case 'container_start': {
      // API < 1.24 still applies a HostConfig sent to start (daemon ContainerStart, deprecated but honoured); the
      // body is decoded as a whole ContainerConfigWrapper, so it is judged exactly like a create body. Bodies on
      // API >= 1.24 are refused by dockerd (bodyOnStartError), so judging them too costs nothing.
      const started = await startViolations(req.match?.param ?? '', c, resolver);
      if (req.body.state === 'empty') return started;
      if (req.body.state === 'hidden' || req.body.state === 'invalid') {
        return [`a start request with a body that cannot be checked (${req.body.state}) is not allowed`];
      }
      const facts = readStartHostConfig(requireJsonBody(req));
      if (!facts.ok) throw new Deny(facts.error, 'request');
      const local = [...started, ...containerViolations(facts.facts, c)];
      return local.length > 0 ? local : engineViolations(facts.facts, c, resolver);
    }
    case 'exec_create': {
      const facts = readExecCreate(requireJsonBody(req));
      if (!facts.ok) throw new Deny(facts.error, 'request');
      return execViolations(facts.facts.user, facts.facts.privileged, c);
    }
    case 'exec_start': {
      const id = req.match?.param ?? '';
      const exec = await resolver.exec(id);
      if (exec === undefined) throw new Deny(`no such exec instance ${id}`, 'resolve');
      return execViolations(exec.user, exec.privileged, c);
    }
    case 'volume_create': {
      const facts = readVolumeCreate(requireJsonBody(req));
      if (!facts.ok) throw new Deny(facts.error, 'request');
      const out: string[] = [];
      const driver = facts.facts.driver === '' ? 'local' : facts.facts.driver;
      if (!c.volumeDrivers.includes(driver)) out.push(`volume driver ${driver} is not allowed`);
      if (driver === 'local') out.push(...localVolumeViolations(facts.facts.driverOpts, 'DriverOpts', c));
      return out;
    }
    case 'image_pull': {
      const from = queryGet(req.query, 'fromImage');
      const tag = queryGet(req.query, 'tag');
      const ref = tag === '' ? from : tag.includes(':') ? `${from}@${tag}` : `${from}:${tag}`;
      return imageViolations(ref, c);
    }
    case 'image_push':
      // pushing to a registry outside the allow-list would exfiltrate images
      return imageViolations(req.match?.param ?? '', c);
    case 'image_import':
    case 'image_load':
      return c.registries === undefined
        ? []
        : [`${action} brings in images from outside the registry allow-list`];
    case 'image_build': {
      const out: string[] = [];
      if (queryGet(req.query, 'networkmode').toLowerCase() === 'host' && !c.hostNamespaces) {
        out.push('builds with the host network are not allowed');
      }
      if (c.registries !== undefined) {
        out.push(
          'the Dockerfile is invisible to plugins, so its base images cannot be checked against the registry allow-list',
        );
      }
      return out;
    }
    default:
      if (UNCHECKABLE.has(action)) {
        return [
          `${action} grants privileges bulkhead cannot check; allow it only with constraints: unrestricted`,
        ];
      }
      return [];
  }
}

function execViolations(user: string, privileged: boolean, c: Constraints): string[] {
  const out: string[] = [];
  if (privileged && !c.privileged) out.push('privileged exec is not allowed');
  // "" means the container's default user, which may be root; "+0", "00", "-0" are uid 0 (runc's strconv.Atoi)
  if (!c.execRoot && isRootUser(user, { defaultIsRoot: true })) {
    out.push(
      user === ''
        ? "exec without --user runs as the container's default user, which may be root; pass --user"
        : `exec as root (${user}) is not allowed`,
    );
  }
  return out;
}

async function containerTarget(ref: string, resolver: Resolver): Promise<Target> {
  const info = await resolver.container(ref);
  if (info === undefined) throw new Deny(`no such container ${JSON.stringify(ref)}`, 'resolve');
  return [...info.names, info.id];
}

function imageTarget(raw: string): Target {
  const ref = parseImageRef(raw);
  if (ref.kind !== 'named' || mayBeImageIdPrefix(raw)) return [raw];
  const forms = [raw, ref.name];
  if (ref.tag !== undefined) forms.push(`${ref.name}:${ref.tag}`);
  return forms;
}

/** What the action applies to, resolved; [] for actions with no resource. */
async function targetsOf(req: DecodedRequest, resolver: Resolver): Promise<Target[]> {
  const match = req.match;
  const action = req.action;
  if (match === undefined || action === undefined) return [];
  const from = match.route.resourceFrom;
  const param = match.param ?? '';
  switch (action.name) {
    case 'container_create':
      return [[queryGet(req.query, 'name')]];
    case 'container_commit':
      return [await containerTarget(queryGet(req.query, 'container'), resolver)];
    case 'exec_start':
    case 'exec_resize':
    case 'exec_inspect': {
      const exec = await resolver.exec(param);
      if (exec === undefined) throw new Deny(`no such exec instance ${param}`, 'resolve');
      return [await containerTarget(exec.containerId, resolver)];
    }
    case 'image_pull':
      return [imageTarget(queryGet(req.query, 'fromImage'))];
    case 'image_import': {
      const repo = queryGet(req.query, 'repo');
      const tag = queryGet(req.query, 'tag');
      return [[repo === '' ? '' : tag === '' ? repo : `${repo}:${tag}`]];
    }
    case 'image_tag': {
      const repo = queryGet(req.query, 'repo');
      const tag = queryGet(req.query, 'tag');
      return [imageTarget(param), imageTarget(tag === '' ? repo : `${repo}:${tag}`)];
    }
    case 'image_save':
      return from === 'path' ? [imageTarget(param)] : (req.query.get('names') ?? []).map(imageTarget);
    case 'image_build':
      return (req.query.get('t') ?? []).map(imageTarget);
    case 'volume_create': {
      if (req.body.state !== 'json') return [['']];
      const facts = readVolumeCreate(req.body.node);
      return [[facts.ok ? facts.facts.name : '']];
    }
    default:
      break;
  }
  if (action.resource === 'none' || from === 'none') return [];
  if (action.resource === 'container') return [await containerTarget(param, resolver)];
  if (action.resource === 'image') return [imageTarget(param)];
  if (from.startsWith('query:')) return [[queryGet(req.query, from.slice('query:'.length))]];
  return [[param]];
}

function ruleMatches(rule: CompiledRule, action: string, targets: readonly Target[]): boolean {
  if (!rule.actions.has(action)) return false;
  if (rule.resources === undefined) return true;
  const patterns = rule.resources;
  if (targets.length === 0) return false;
  return targets.every((target) => target.some((name) => patterns.some((p) => globMatch(p, name))));
}

/** The resource as the request names it (before resolution), for messages and the log. */
function rawResource(req: DecodedRequest): string {
  const from = req.match?.route.resourceFrom;
  if (from === undefined || from === 'none' || from === 'body') return '';
  if (from === 'path') return req.match?.param ?? '';
  return queryGet(req.query, from.slice('query:'.length));
}

function describeTargets(targets: readonly Target[]): string {
  return targets.map((t) => t[0] ?? '').join(',');
}

/** Decides an AuthZReq; never throws for anything the request contains. */
export async function evaluate(policy: Policy, req: DecodedRequest, resolver: Resolver): Promise<Decision> {
  const user = identityName(req.identity);
  const action = req.action?.name ?? '';
  const deny = (reason: string, rule: string, resource = ''): Decision => ({
    allow: false,
    msg: `bulkhead: denied ${user} ${action || `${req.method} ${req.path}`}${resource === '' ? '' : ` on ${resource}`}: ${reason}`,
    rule,
    action,
    resource,
    user,
  });
  if (req.problems.length > 0) return deny(req.problems.join('; '), 'request');
  let rules: readonly CompiledRule[];
  if (req.identity.kind === 'anonymous') rules = policy.anonymous;
  else {
    if (req.identity.name === '') {
      return deny(
        `the ${req.identity.authn || 'TLS'} client certificate has no CN, so the user has no name (never treated as anonymous)`,
        'identity',
      );
    }
    const found = policy.users.get(req.identity.name);
    if (found === undefined) {
      return deny(`user "${req.identity.name}" (TLS client certificate CN) is not in the policy`, 'identity');
    }
    rules = found;
  }
  // targets are resolved only when a rule with resource patterns needs them, so policies without patterns keep
  // working when dockerd cannot be asked (--docker-host none)
  let resolved: Target[] | undefined;
  const targets = async (): Promise<Target[]> => (resolved ??= await targetsOf(req, resolver));
  const matches = async (rule: CompiledRule): Promise<boolean> => {
    if (!rule.actions.has(action)) return false;
    if (rule.resources === undefined) return true;
    return ruleMatches(rule, action, await targets());
  };
  const shown = (): string => (resolved === undefined ? rawResource(req) : describeTargets(resolved));
  const applicable: CompiledRule[] = [];
  try {
    for (const rule of rules) {
      if (rule.effect === 'deny' && (await matches(rule))) {
        return deny(rule.message ?? `rule ${rule.id} forbids it`, rule.id, shown());
      }
    }
    for (const rule of rules) if (rule.effect === 'allow' && (await matches(rule))) applicable.push(rule);
  } catch (error) {
    if (error instanceof Deny) return deny(error.reason, error.rule, rawResource(req));
    return deny(
      `cannot resolve the target: ${error instanceof Error ? error.message : String(error)}`,
      'resolve',
      rawResource(req),
    );
  }
  const resource = shown();
  const refusals: string[] = [];
  let refusedBy = '';
  for (const rule of applicable) {
    if (rule.constraints === 'unrestricted')
      return { allow: true, msg: '', rule: rule.id, action, resource, user };
    try {
      const violations = await constraintViolations(action, rule.constraints, req, resolver);
      if (violations.length === 0) return { allow: true, msg: '', rule: rule.id, action, resource, user };
      refusals.push(`${violations.join('; ')} (rule ${rule.id})`);
      if (refusedBy === '') refusedBy = `constraints:${rule.id}`;
    } catch (error) {
      // an unreadable body or a failed lookup refuses this rule; a later rule (e.g. unrestricted) may still allow
      const reason =
        error instanceof Deny
          ? error.reason
          : `cannot check the request: ${error instanceof Error ? error.message : String(error)}`;
      refusals.push(reason);
      if (refusedBy === '') refusedBy = error instanceof Deny ? error.rule : 'resolve';
    }
  }
  if (refusals.length > 0) return deny(refusals.join(' | '), refusedBy, resource);
  return deny('no rule allows it (default deny)', 'default-deny', resource);
}
