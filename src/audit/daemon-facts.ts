// Daemon-side facts rules share: the sockets the daemon listens on (flags, daemon.json, the address in use, the
// stat list), its data root, and whether it runs with user namespace remapping (dockerd reference,
// docs.docker.com/reference/cli/dockerd/).
import type { Facts } from '../facts/index.js';
import { effectiveSetting } from '../shared/dockerd.js';
import { canonicalHostPath } from './container-facts.js';

export const DEFAULT_DOCKER_SOCKET = '/run/docker.sock';
export const CONTAINERD_SOCKETS = [
  '/run/containerd/containerd.sock',
  '/run/docker/containerd/containerd.sock',
];

/** Strings from a setting that is a string or a list of strings. */
export function stringList(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

/** Every host path of a Docker or containerd API socket bulkhead knows of, canonical (/var/run -> /run). */
export function apiSocketPaths(facts: Facts): string[] {
  const paths = new Set<string>([DEFAULT_DOCKER_SOCKET, ...CONTAINERD_SOCKETS]);
  if (facts.engine.state === 'known' && facts.engine.value.address.startsWith('unix://'))
    paths.add(facts.engine.value.address.slice('unix://'.length));
  for (const host of stringList(effectiveSetting(facts.host, 'host')?.value))
    if (host.startsWith('unix://')) paths.add(host.slice('unix://'.length));
  const containerd = effectiveSetting(facts.host, 'containerd')?.value;
  if (typeof containerd === 'string') paths.add(containerd);
  for (const file of facts.host.files)
    if (file.role.startsWith('docker socket') || file.role === 'containerd socket') paths.add(file.path);
  return [...new Set([...paths].map(canonicalHostPath))];
}

/** The daemon's data root: /info DockerRootDir, else --data-root, else the default. */
export function dataRoot(facts: Facts): string {
  if (facts.engine.state === 'known' && typeof facts.engine.value.info.DockerRootDir === 'string')
    return facts.engine.value.info.DockerRootDir;
  const flag = effectiveSetting(facts.host, 'data-root')?.value;
  return typeof flag === 'string' ? flag : '/var/lib/docker';
}

/** True when the daemon remaps container root to an unprivileged host uid (/info SecurityOptions name=userns). */
export function usernsRemapped(facts: Facts): boolean {
  if (facts.engine.state === 'known')
    return facts.engine.value.securityOptions.some((o) => o.name === 'userns');
  const setting = effectiveSetting(facts.host, 'userns-remap')?.value;
  return typeof setting === 'string' && setting !== '';
}

/** Groups allowed to own the API socket: docker, or the daemon's --group / "group" setting. */
export function dockerSocketGroups(ctx: { facts: Facts }): string[] {
  const group = effectiveSetting(ctx.facts.host, 'group')?.value;
  return ['docker', ...stringList(group)];
}
