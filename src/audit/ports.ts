// Published ports of a container from HostConfig.PortBindings (what was asked) merged with
// NetworkSettings.Ports (what dockerd bound, with the ephemeral host port resolved).
import type { ContainerInspect } from '../facts/index.js';

export interface PublishedPort {
  readonly containerPort: string;
  readonly hostIp: string;
  readonly hostPort: number;
}

export function publishedPorts(container: ContainerInspect): PublishedPort[] {
  const out: PublishedPort[] = [];
  const seen = new Set<string>();
  for (const source of [container.HostConfig?.PortBindings, container.NetworkSettings?.Ports]) {
    for (const [containerPort, bindings] of Object.entries(source ?? {})) {
      for (const b of bindings ?? []) {
        const hostPort = Number(b.HostPort ?? '0');
        const hostIp = b.HostIp ?? '';
        const key = `${containerPort}|${hostIp}|${String(hostPort)}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ containerPort, hostIp, hostPort: Number.isFinite(hostPort) ? hostPort : 0 });
      }
    }
  }
  return out;
}
