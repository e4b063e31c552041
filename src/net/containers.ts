// The containers and networks of the Engine API the network stage needs (GET /containers/json, /containers/{id}/json,
// /networks), validated with zod; an inspect is cached per container id, so a poll cycle costs one list call.
import type Docker from 'dockerode';
import { z } from 'zod';
import type { DockerNetwork } from './graph.js';
import type { NetContainer } from './types.js';

const inspectSchema = z.object({
  Id: z.string(),
  Name: z.string(),
  Image: z.string(),
  Config: z.object({ Image: z.string(), Labels: z.record(z.string(), z.string()).nullable().optional() }),
  State: z.object({ Pid: z.number(), Running: z.boolean() }),
  HostConfig: z.object({ NetworkMode: z.string().optional(), Runtime: z.string().optional() }),
  Mounts: z
    .array(z.object({ Type: z.string().optional(), Source: z.string().optional(), Destination: z.string() }))
    .nullable()
    .optional(),
  NetworkSettings: z.object({
    Networks: z
      .record(
        z.string(),
        z.object({ IPAddress: z.string().optional(), GlobalIPv6Address: z.string().optional() }),
      )
      .nullable()
      .optional(),
  }),
});

const networkSchema = z.object({
  Name: z.string(),
  Driver: z.string(),
  Internal: z.boolean().optional(),
  IPAM: z
    .object({
      Config: z
        .array(z.object({ Subnet: z.string().optional() }))
        .nullable()
        .optional(),
    })
    .optional(),
  Options: z.record(z.string(), z.string()).nullable().optional(),
});

export function toNetContainer(raw: unknown): NetContainer {
  const c = inspectSchema.parse(raw);
  const labels = c.Config.Labels ?? {};
  const project = labels['com.docker.compose.project'];
  const service = labels['com.docker.compose.service'];
  const name = c.Name.replace(/^\//, '');
  const mode = c.HostConfig.NetworkMode ?? 'default';
  const addresses = Object.entries(c.NetworkSettings.Networks ?? {}).flatMap(([network, n]) => [
    ...(n.IPAddress !== undefined && n.IPAddress !== '' ? [{ network, addr: n.IPAddress }] : []),
    ...(n.GlobalIPv6Address !== undefined && n.GlobalIPv6Address !== ''
      ? [{ network, addr: n.GlobalIPv6Address }]
      : []),
  ]);
  return {
    id: c.Id,
    name,
    image: c.Config.Image,
    imageId: c.Image,
    workload: project !== undefined && service !== undefined ? `${project}/${service}` : name,
    pid: c.State.Running ? c.State.Pid : 0,
    runtime: c.HostConfig.Runtime ?? 'runc',
    addresses,
    netnsOf: mode.startsWith('container:') ? mode.slice('container:'.length) : undefined,
    networkMode: mode,
    mounts: (c.Mounts ?? []).flatMap((m) =>
      m.Type === 'bind' && m.Source !== undefined ? [{ source: m.Source, destination: m.Destination }] : [],
    ),
  };
}

export function toDockerNetwork(raw: unknown): DockerNetwork {
  const n = networkSchema.parse(raw);
  const icc = n.Options?.['com.docker.network.bridge.enable_icc'];
  return {
    name: n.Name,
    driver: n.Driver,
    internal: n.Internal ?? false,
    subnets: (n.IPAM?.Config ?? []).flatMap((c) => (c.Subnet === undefined ? [] : [c.Subnet])),
    icc: n.Driver === 'bridge' ? icc !== 'false' : undefined,
  };
}

export class ContainerSource {
  private readonly cache = new Map<string, NetContainer>();
  /** Ids of the running containers, newest first (the order of GET /containers/json). */
  private live: string[] = [];

  constructor(private readonly docker: Docker) {}

  /** Running containers, optionally only the named ones (names or id prefixes); a vanished one is dropped. */
  async list(only: readonly string[] = []): Promise<NetContainer[]> {
    const summaries = await this.docker.listContainers();
    const live = new Set(summaries.map((s) => s.Id));
    for (const id of this.cache.keys()) if (!live.has(id)) this.cache.delete(id);
    for (const summary of summaries) {
      if (this.cache.has(summary.Id)) continue;
      try {
        this.cache.set(summary.Id, toNetContainer(await this.docker.getContainer(summary.Id).inspect()));
      } catch {
        // removed between list and inspect
      }
    }
    this.live = summaries.map((s) => s.Id).filter((id) => this.cache.has(id));
    return this.view(only);
  }

  /**
   * The last list plus one container that just started, at the cost of one inspect (a start event's path: the list
   * call waits for a daemon still busy starting it). undefined when it is not running any more.
   */
  async withStarted(id: string, only: readonly string[] = []): Promise<NetContainer[] | undefined> {
    let container: NetContainer;
    try {
      container = toNetContainer(await this.docker.getContainer(id).inspect());
    } catch {
      return undefined;
    }
    if (container.pid <= 0) return undefined;
    this.cache.set(container.id, container);
    this.live = [container.id, ...this.live.filter((known) => known !== container.id)];
    return this.view(only);
  }

  private view(only: readonly string[]): NetContainer[] {
    const out = this.live.flatMap((id) => {
      const c = this.cache.get(id);
      return c === undefined ? [] : [c];
    });
    // a container that joined another's namespace names it by id or name: normalise to the id
    const byName = new Map(out.map((c) => [c.name, c.id]));
    const normalised = out.map((c) =>
      c.netnsOf !== undefined && byName.has(c.netnsOf) ? { ...c, netnsOf: byName.get(c.netnsOf) } : c,
    );
    if (only.length === 0) return normalised;
    return normalised.filter((c) => only.some((n) => n === c.name || (n.length >= 12 && c.id.startsWith(n))));
  }

  async networks(): Promise<DockerNetwork[]> {
    const list: unknown[] = await this.docker.listNetworks();
    return list.map(toDockerNetwork);
  }
}
