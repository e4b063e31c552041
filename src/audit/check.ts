// Helpers that turn a rule's per-target verdict into Checks: the target (host, daemon, each running container,
// each image in use) and the rule that an unknown fact gives skip(reason), never pass (DESIGN.md "Facts first").
import type { ContainerInspect, EngineFacts, Facts, ImageInspect } from '../facts/index.js';
import type { Evidence, Target } from '../shared/finding.js';
import type { AuditContext, Check } from './rule.js';

export type Verdict =
  | { readonly kind: 'pass'; readonly message: string; readonly evidence: readonly Evidence[] }
  | { readonly kind: 'fail'; readonly message: string; readonly evidence: readonly Evidence[] }
  | { readonly kind: 'skip'; readonly reason: string; readonly evidence: readonly Evidence[] }
  | { readonly kind: 'not-applicable'; readonly reason: string; readonly evidence: readonly Evidence[] };

export function pass(message: string, ...evidence: Evidence[]): Verdict {
  return { kind: 'pass', message, evidence };
}
export function fail(message: string, ...evidence: Evidence[]): Verdict {
  return { kind: 'fail', message, evidence };
}
export function skip(reason: string, ...evidence: Evidence[]): Verdict {
  return { kind: 'skip', reason, evidence };
}
export function notApplicable(reason: string, ...evidence: Evidence[]): Verdict {
  return { kind: 'not-applicable', reason, evidence };
}

/** Evidence with the value rendered as text (strings as-is, everything else as JSON). */
export function ev(source: string, value: unknown, expected?: string): Evidence {
  const text = typeof value === 'string' ? value : value === undefined ? '(unset)' : JSON.stringify(value);
  return expected === undefined ? { source, value: text } : { source, value: text, expected };
}

export function toCheck(target: Target, verdict: Verdict): Check {
  switch (verdict.kind) {
    case 'pass':
    case 'fail':
      return {
        target,
        outcome: { kind: verdict.kind },
        message: verdict.message,
        evidence: verdict.evidence,
      };
    case 'skip':
    case 'not-applicable':
      return {
        target,
        outcome: { kind: verdict.kind, reason: verdict.reason },
        message: verdict.reason,
        evidence: verdict.evidence,
      };
    default:
      return verdict satisfies never;
  }
}

export function hostTarget(facts: Facts): Target {
  return { kind: 'host', root: facts.host.root };
}

/** The daemon as addressed: the Engine API address when reached, else the socket bulkhead tried, else dockerd's -H. */
export function daemonTarget(facts: Facts): Target {
  if (facts.engine.state === 'known') return { kind: 'daemon', address: facts.engine.value.address };
  const tried = facts.host.files.find((f) => f.role === 'docker socket in use');
  if (tried !== undefined) return { kind: 'daemon', address: `unix://${tried.path}` };
  const hosts = facts.host.dockerd.state === 'known' ? facts.host.dockerd.value.flags['host'] : undefined;
  return { kind: 'daemon', address: hosts?.[0] ?? 'unix:///var/run/docker.sock' };
}

export function containerName(container: ContainerInspect): string {
  return container.Name.replace(/^\//, '');
}

export function containerTarget(container: ContainerInspect): Target {
  return {
    kind: 'container',
    id: container.Id,
    name: containerName(container),
    image: container.Config?.Image ?? container.Image ?? '',
  };
}

/** Containers the audit covers: running ones, as CIS section 5 does (`docker ps --quiet`). */
export function auditedContainers(engine: EngineFacts): ContainerInspect[] {
  return engine.containers.filter((c) => c.State?.Running !== false);
}

/** An image used by at least one audited container, with the reference it was started from. */
export interface ImageInUse {
  readonly ref: string;
  readonly id: string;
  readonly inspect: ImageInspect | undefined;
  readonly containers: readonly string[];
}

export function imagesInUse(engine: EngineFacts): ImageInUse[] {
  const byId = new Map<string, { ref: string; containers: string[] }>();
  for (const c of auditedContainers(engine)) {
    const id = c.Image ?? '';
    const entry = byId.get(id) ?? { ref: c.Config?.Image ?? id, containers: [] };
    entry.containers.push(containerName(c));
    byId.set(id, entry);
  }
  const inspects = new Map(engine.images.map((i) => [i.Id, i]));
  return [...byId].map(([id, { ref, containers }]) => ({ ref, id, inspect: inspects.get(id), containers }));
}

/** A rule with one verdict about the host. */
export function checkHost(verdict: (ctx: AuditContext) => Verdict): (ctx: AuditContext) => Check[] {
  return (ctx) => [toCheck(hostTarget(ctx.facts), verdict(ctx))];
}

/** A rule with one verdict about the daemon (from host facts, Engine facts or both). */
export function checkDaemon(verdict: (ctx: AuditContext) => Verdict): (ctx: AuditContext) => Check[] {
  return (ctx) => [toCheck(daemonTarget(ctx.facts), verdict(ctx))];
}

/** A daemon rule that needs the Engine API: skip with the reason when the engine was not reached. */
export function checkEngine(
  verdict: (engine: EngineFacts, ctx: AuditContext) => Verdict,
): (ctx: AuditContext) => Check[] {
  return (ctx) => {
    const engine = ctx.facts.engine;
    const v =
      engine.state === 'known' ? verdict(engine.value, ctx) : skip(`engine not reached: ${engine.reason}`);
    return [toCheck(daemonTarget(ctx.facts), v)];
  };
}

/** A rule with one verdict per running container; one skip on the daemon when the engine was not reached. */
export function checkContainers(
  verdict: (container: ContainerInspect, ctx: AuditContext, engine: EngineFacts) => Verdict,
): (ctx: AuditContext) => Check[] {
  return (ctx) => {
    const engine = ctx.facts.engine;
    if (engine.state === 'unknown')
      return [toCheck(daemonTarget(ctx.facts), skip(`engine not reached: ${engine.reason}`))];
    const containers = auditedContainers(engine.value);
    if (containers.length === 0)
      return [toCheck(daemonTarget(ctx.facts), notApplicable('no running containers'))];
    return containers.map((c) => toCheck(containerTarget(c), verdict(c, ctx, engine.value)));
  };
}

/** A rule with one verdict per image used by a running container. */
export function checkImages(
  verdict: (image: ImageInUse, ctx: AuditContext) => Verdict,
): (ctx: AuditContext) => Check[] {
  return (ctx) => {
    const engine = ctx.facts.engine;
    if (engine.state === 'unknown')
      return [toCheck(daemonTarget(ctx.facts), skip(`engine not reached: ${engine.reason}`))];
    const images = imagesInUse(engine.value);
    if (images.length === 0) return [toCheck(daemonTarget(ctx.facts), notApplicable('no images in use'))];
    return images.map((image) =>
      toCheck(
        { kind: 'image', ref: image.ref, ...(image.id === '' ? {} : { id: image.id }) },
        image.inspect === undefined
          ? skip(`image ${image.id} was not inspected (removed while in use?)`)
          : verdict(image, ctx),
      ),
    );
  };
}
