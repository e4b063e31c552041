// What watch needs to know of a container from the Engine API (one inspect of the container and its image):
// name, image digest, runtime, declared USER, overlay MergedDir/UpperDir, volumes; and the /events stream of
// starts and ends that adds and removes exec-gate marks.
import type Docker from 'dockerode';
import { z } from 'zod';

export interface WatchedContainer {
  readonly id: string;
  readonly name: string;
  /** The image's content digest (its config digest, `sha256:…` image id): one profile per digest. */
  readonly imageDigest: string;
  readonly imageNames: readonly string[];
  readonly runtime: string;
  /** The runtime's binary as the daemon has it (a bare name is looked up in PATH). */
  readonly runtimePath: string;
  /** The container runs under gVisor (runsc): its processes live in the sandbox's kernel, not the host's. */
  readonly gvisor: boolean;
  /** undefined when observable; else why the host cannot see inside (gVisor). */
  readonly unobservable: string | undefined;
  /** The image's declared USER ('' = root). */
  readonly imageUser: string;
  readonly merged: string | undefined;
  readonly upper: string | undefined;
  readonly pid: number;
  readonly volumes: readonly string[];
}

const containerSchema = z.object({
  Id: z.string(),
  Name: z.string(),
  Image: z.string(),
  State: z.object({ Running: z.boolean(), Pid: z.number() }),
  HostConfig: z.object({ Runtime: z.string().optional() }).optional(),
  GraphDriver: z
    .object({ Name: z.string(), Data: z.record(z.string(), z.string()).nullable().optional() })
    .optional(),
  Mounts: z
    .array(z.object({ Destination: z.string() }))
    .nullable()
    .optional(),
});

const imageSchema = z.object({
  Id: z.string(),
  RepoTags: z.array(z.string()).nullable().optional(),
  Config: z.object({ User: z.string().optional() }).nullable().optional(),
});

const infoSchema = z.object({
  Runtimes: z.record(z.string(), z.object({ path: z.string().optional() })).optional(),
  DefaultRuntime: z.string().optional(),
});

export interface RuntimeInfo {
  readonly name: string;
  readonly path: string;
}

/** The daemon's registered runtimes (name -> binary, as dockerd has them: a bare name is looked up in PATH). */
export async function daemonRuntimes(
  docker: Docker,
): Promise<{ runtimes: RuntimeInfo[]; defaultRuntime: string }> {
  const info = infoSchema.parse(await docker.info());
  return {
    runtimes: Object.entries(info.Runtimes ?? {}).map(([name, r]) => ({ name, path: r.path ?? name })),
    defaultRuntime: info.DefaultRuntime ?? 'runc',
  };
}

export function isGvisor(runtime: string, runtimes: readonly RuntimeInfo[]): boolean {
  const path = runtimes.find((r) => r.name === runtime)?.path ?? runtime;
  return /(^|\/)runsc$/.test(path) || runtime === 'runsc';
}

/** Why the host's kernel sources (fanotify, proc connector) see nothing of a runsc container. */
export const GVISOR_UNOBSERVABLE =
  'not observable from the host (gVisor): runsc runs the container under its own kernel, so its execs never reach the host kernel';

/** Inspects one running container; undefined when it is gone or not running. */
export async function inspectWatched(
  docker: Docker,
  id: string,
  runtimes: readonly RuntimeInfo[],
  defaultRuntime: string,
): Promise<WatchedContainer | undefined> {
  let raw: unknown;
  try {
    raw = await docker.getContainer(id).inspect();
  } catch {
    return undefined;
  }
  const c = containerSchema.parse(raw);
  if (!c.State.Running) return undefined;
  let image: z.infer<typeof imageSchema> | undefined;
  try {
    image = imageSchema.parse(await docker.getImage(c.Image).inspect());
  } catch {
    image = undefined;
  }
  const runtime = c.HostConfig?.Runtime ?? defaultRuntime;
  const gvisor = isGvisor(runtime, runtimes);
  const data = c.GraphDriver?.Data ?? {};
  return {
    id: c.Id,
    name: c.Name.replace(/^\//, ''),
    imageDigest: image?.Id ?? c.Image,
    imageNames: image?.RepoTags ?? [],
    runtime,
    runtimePath: runtimes.find((r) => r.name === runtime)?.path ?? runtime,
    gvisor,
    unobservable: gvisor
      ? GVISOR_UNOBSERVABLE
      : c.GraphDriver?.Name !== 'overlay2'
        ? `storage driver ${c.GraphDriver?.Name ?? 'unknown'}: the exec gate needs overlay2's MergedDir`
        : undefined,
    imageUser: image?.Config?.User ?? '',
    merged: data['MergedDir'],
    upper: data['UpperDir'],
    pid: c.State.Pid,
    volumes: (c.Mounts ?? []).map((m) => m.Destination),
  };
}

export async function runningContainerIds(docker: Docker): Promise<string[]> {
  const list = z.array(z.object({ Id: z.string() })).parse(await docker.listContainers());
  return list.map((c) => c.Id);
}

const eventSchema = z.object({
  Type: z.string().optional(),
  Action: z.string(),
  id: z.string().optional(),
  Actor: z
    .object({ Attributes: z.record(z.string(), z.string()).nullable().optional() })
    .nullable()
    .optional(),
  /** When the daemon emitted the event (ns since the epoch; `time` is seconds). */
  timeNano: z.number().optional(),
  time: z.number().optional(),
});

/**
 * Follows container start/die events; `atMs` is the daemon's time of the event (ms since the epoch, the host's
 * clock), for measuring how long after a start something was in place. With `onExec`, also `docker exec` starts
 * (exec_start, with the exec's id for `GET /exec/{id}/json`). Returns a function that ends the stream.
 */
export async function followContainerEvents(
  docker: Docker,
  onEvent: (action: 'start' | 'die', id: string, atMs: number) => void,
  onError: (error: Error) => void,
  onExec?: (id: string, execId: string, atMs: number) => void,
): Promise<() => void> {
  const stream = (await docker.getEvents({
    filters: {
      type: ['container'],
      event: ['start', 'die', ...(onExec === undefined ? [] : ['exec_start'])],
    },
  })) as NodeJS.ReadableStream & { destroy?: () => void };
  let buffer = '';
  stream.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    let nl;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (line.trim() === '') continue;
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch {
        continue;
      }
      const parsed = eventSchema.safeParse(json);
      if (!parsed.success || parsed.data.id === undefined) continue;
      const { Action, id, timeNano, time } = parsed.data;
      const atMs = timeNano !== undefined ? timeNano / 1e6 : time !== undefined ? time * 1000 : Date.now();
      if (Action === 'start' || Action === 'die') onEvent(Action, id, atMs);
      // dockerd names exec events "exec_start: <command line>"
      const execId = parsed.data.Actor?.Attributes?.['execID'];
      if (onExec !== undefined && Action.startsWith('exec_start') && execId !== undefined)
        onExec(id, execId, atMs);
    }
  });
  stream.on('error', (error: Error) => {
    onError(error);
  });
  return () => {
    stream.destroy?.();
  };
}

const execInspectSchema = z.object({
  ProcessConfig: z.object({
    entrypoint: z.string(),
    arguments: z.array(z.string()).nullable().optional(),
    user: z.string().optional(),
    tty: z.boolean().optional(),
  }),
});

export interface EngineExec {
  readonly argv: readonly string[];
  /** As given to `docker exec --user` ('' = the container's user). */
  readonly user: string;
  readonly tty: boolean;
}

/** What `docker exec` asked the runtime to run (GET /exec/{id}/json); undefined when the exec is gone. */
export async function inspectExec(docker: Docker, execId: string): Promise<EngineExec | undefined> {
  let raw: unknown;
  try {
    raw = await docker.getExec(execId).inspect();
  } catch {
    return undefined;
  }
  const parsed = execInspectSchema.safeParse(raw);
  if (!parsed.success) return undefined;
  const p = parsed.data.ProcessConfig;
  return { argv: [p.entrypoint, ...(p.arguments ?? [])], user: p.user ?? '', tty: p.tty === true };
}
