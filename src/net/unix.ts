// The Docker API over a unix socket (a bind-mounted docker.sock), which no TCP table shows: for each watched network
// namespace, the connections whose server end is a socket of the engine itself (dockerd's API sockets, containerd's),
// with the container process holding the client end; and the containers whose bind mounts expose such a socket.
//
// Why this is exact (docs/net.md "Unix sockets"): the kernel creates the server end of a unix stream connection in
// the *client's* network namespace and copies the listener's path and dentry into it (net/unix/af_unix.c
// unix_stream_connect), so sock_diag in the container's namespace (unix_diag.c) lists dockerd's accepted socket with
// the device and inode of dockerd's socket file (UNIX_DIAG_VFS) and the inode of the client end (UNIX_DIAG_PEER),
// and the client inode is in a container process's /proc/<pid>/fd. The file identity, not the path text, decides:
// a container's own dockerd on /var/run/docker.sock (docker-in-docker) is another file.
import { readlinkSync, realpathSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { z } from 'zod';
import { containerdSockets, dockerdProcesses, findDockerd } from '../authz/engine-paths.js';
import type { AddonLoad, UnixSocketDump } from '../native/index.js';
import { errnoCode } from '../shared/errors.js';
import type { NamespaceUnit } from './namespaces.js';
import type { ProcessScan } from './procfs.js';
import type { ContainerMount, NetContainer } from './types.js';

/** unix_diag states (the kernel reuses TCP's numbers): a connected socket, a listener. */
const ESTABLISHED = 1;

/** A connection to an engine socket as rules see it: the socket, the client process, the mount it came through. */
export interface UnixConnection {
  readonly socket: DaemonSocket;
  /** The client's process and executable; undefined when it was gone before the poll read its sockets. */
  readonly pid: number | undefined;
  readonly exe: string | undefined;
  /** Where the container's bind mount puts the socket, when one does. */
  readonly via: string | undefined;
}

export type EngineDaemon = 'dockerd' | 'containerd';

/** One API socket of the engine, identified by its file (device, low 32 bits of the inode: all unix_diag gives). */
export interface DaemonSocket {
  /** As the daemon bound it, in the host's mount namespace. */
  readonly path: string;
  readonly daemon: EngineDaemon;
  readonly dev: number;
  readonly ino: number;
}

export interface EngineSockets {
  readonly sockets: readonly DaemonSocket[];
  /** The dockerd the sockets were learned from. */
  readonly pid: number | undefined;
  /** What could not be learned, for an event (undefined when dockerd was found). */
  readonly problem: string | undefined;
}

export const fileKey = (dev: number, ino: number): string => `${dev}:${ino}`;

function statSocket(path: string, daemon: EngineDaemon): DaemonSocket | undefined {
  try {
    const st = statSync(path, { bigint: true });
    if (!st.isSocket()) return undefined;
    return { path, daemon, dev: Number(st.dev), ino: Number(st.ino & 0xffffffffn) };
  } catch {
    return undefined; // not there (a declared -H that failed to bind, a removed containerd socket)
  }
}

const infoSchema = z.looseObject({ DockerRootDir: z.string().min(1) });

export interface LearnEngineOptions {
  /** GET /info of the engine the stage watches (its DockerRootDir picks the dockerd among several). */
  readonly info: () => Promise<unknown>;
  /** The unix socket the stage's Engine API client talks to, if any: dockerd's socket, or a proxy in front of it. */
  readonly socketPath: string | undefined;
  readonly procRoot?: string | undefined;
}

/**
 * The engine's API sockets, from the engine itself: the dockerd process whose data root is /info's DockerRootDir
 * (engine-paths.ts: its -H unix sockets as pflag reads them, daemon.json "hosts", and the unix sockets it listens
 * on, e.g. systemd's fd://), its containerd's sockets, and the socket the client uses. Never throws.
 */
export async function learnEngineSockets(options: LearnEngineOptions): Promise<EngineSockets> {
  let rootDir: string | undefined;
  let problem: string | undefined;
  try {
    const parsed = infoSchema.safeParse(await options.info());
    if (parsed.success) rootDir = parsed.data.DockerRootDir;
    else problem = '/info has no DockerRootDir';
  } catch (error) {
    problem = `/info failed: ${error instanceof Error ? error.message : String(error)}`;
  }
  const daemon = findDockerd(dockerdProcesses(options.procRoot), rootDir, options.socketPath);
  const found: DaemonSocket[] = [];
  const add = (path: string, kind: EngineDaemon): void => {
    const socket = statSocket(path, kind);
    if (socket !== undefined && !found.some((s) => s.dev === socket.dev && s.ino === socket.ino))
      found.push(socket);
  };
  if (daemon === undefined)
    problem = `${problem === undefined ? '' : `${problem}; `}no dockerd process with data root ${rootDir ?? '(unknown)'} is visible in ${options.procRoot ?? '/proc'}`;
  else {
    for (const path of daemon.sockets) add(path, 'dockerd');
    for (const path of containerdSockets(daemon, options.procRoot)) add(path, 'containerd');
  }
  if (options.socketPath !== undefined) add(options.socketPath, 'dockerd');
  return { sockets: found, pid: daemon?.pid, problem: daemon === undefined ? problem : undefined };
}

/** A connection from a watched namespace to one of the engine's sockets. */
export interface DaemonConnection {
  /** Inode of the daemon's end (in the container's namespace): one per connection. */
  readonly inode: number;
  readonly socket: DaemonSocket;
  /** The container whose process holds the client end; the namespace's owner when that process is not found. */
  readonly container: NetContainer;
  /** The client's process, when a process of the namespace holds the client end. */
  readonly pid: number | undefined;
}

/**
 * The connections of one namespace's dump whose server end is an engine socket (by file identity), each attributed
 * through the client end's inode (the peer) to the process and container holding it.
 */
export function daemonConnections(
  unit: NamespaceUnit,
  dump: UnixSocketDump,
  sockets: ReadonlyMap<string, DaemonSocket>,
  scan: ProcessScan,
): DaemonConnection[] {
  const out: DaemonConnection[] = [];
  for (const s of dump.sockets) {
    if (s.state !== ESTABLISHED) continue;
    const socket = sockets.get(fileKey(s.fileDev, s.fileIno));
    if (socket === undefined) continue;
    const owner = s.peer === 0 ? undefined : scan.owners.get(s.peer);
    const container =
      owner?.containerId === undefined ? undefined : unit.containers.find((c) => c.id === owner.containerId);
    out.push({
      inode: s.inode,
      socket,
      container: container ?? unit.primary,
      pid: container === undefined ? undefined : owner?.pid,
    });
  }
  return out;
}

/** A bind mount that puts an engine socket inside a container: the socket itself, or a directory holding it. */
export interface SocketMount {
  readonly socket: DaemonSocket;
  readonly source: string;
  readonly destination: string;
  /** Where the socket appears inside the container. */
  readonly inside: string;
}

function real(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

/**
 * The container's bind mounts that expose an engine socket: a source that is the socket file (by identity, so
 * /var/run/docker.sock and /run/docker.sock are one), or a directory above it (/run, /var, /).
 */
export function socketMounts(
  mounts: readonly ContainerMount[],
  sockets: readonly DaemonSocket[],
): SocketMount[] {
  const out: SocketMount[] = [];
  for (const mount of mounts) {
    const source = real(mount.source);
    if (source === undefined) continue;
    let file: { dev: number; ino: number } | undefined;
    try {
      const st = statSync(source, { bigint: true });
      if (st.isSocket()) file = { dev: Number(st.dev), ino: Number(st.ino & 0xffffffffn) };
    } catch {
      continue;
    }
    for (const socket of sockets) {
      if (file !== undefined) {
        if (file.dev === socket.dev && file.ino === socket.ino)
          out.push({
            socket,
            source: mount.source,
            destination: mount.destination,
            inside: mount.destination,
          });
        continue;
      }
      const target = real(socket.path);
      if (target === undefined) continue;
      const rel = posix.relative(source, target);
      if (rel === '' || rel.startsWith('..') || posix.isAbsolute(rel)) continue;
      out.push({
        socket,
        source: mount.source,
        destination: mount.destination,
        inside: posix.join(mount.destination, rel),
      });
    }
  }
  return out;
}

/** A process's executable as the kernel names it (its path in the container's mount namespace). */
export function exeOf(pid: number, procRoot = '/proc'): string | undefined {
  try {
    return readlinkSync(join(procRoot, String(pid), 'exe'));
  } catch {
    return undefined;
  }
}

export const daemonLabel = (socket: DaemonSocket): string =>
  `${socket.daemon === 'dockerd' ? "dockerd's" : "containerd's"} API socket ${socket.path}`;

/** A failed /info or a dockerd not visible is retried every this many cycles (a /proc walk each time). */
const RELEARN_EVERY = 30;

export interface EngineSocketWatchOptions {
  readonly addon: () => AddonLoad;
  readonly learn: () => Promise<EngineSockets>;
  readonly procRoot?: string | undefined;
}

/**
 * The per-cycle side of the above for the monitor: the engine's sockets (re-learned when dockerd restarts or a
 * socket file is replaced), one sock_diag dump per watched namespace per cycle, connections reported once per
 * container, socket and executable, socket mounts once per container and socket, and notes for what it cannot see.
 */
export class EngineSocketWatch {
  private engine: EngineSockets = { sockets: [], pid: undefined, problem: 'not learned yet' };
  private byFile = new Map<string, DaemonSocket>();
  private readonly reported = new Set<string>();
  private readonly mountsReported = new Set<string>();
  /** Containers whose mounts were matched against the current sockets (a mount never changes while it runs). */
  private readonly mountsChecked = new Set<string>();
  private readonly notes: string[] = [];
  private readonly noted = new Set<string>();
  private cyclesSinceLearn = 0;
  private learned = false;
  /** µs of the last poll's dumps, namespaces dumped and sockets the kernel listed in them. */
  lastUs = 0;
  lastNamespaces = 0;
  lastSockets = 0;

  constructor(private readonly options: EngineSocketWatchOptions) {}

  get sockets(): readonly DaemonSocket[] {
    return this.engine.sockets;
  }

  private note(message: string): void {
    if (this.noted.has(message)) return;
    this.noted.add(message);
    this.notes.push(message);
  }

  /** Messages for 'enforcement' info events, each once: what cannot be seen and why. */
  takeNotes(): string[] {
    return this.notes.splice(0);
  }

  private stale(): boolean {
    if (!this.learned) return true;
    if (this.engine.pid === undefined) return this.cyclesSinceLearn >= RELEARN_EVERY;
    try {
      statSync(join(this.options.procRoot ?? '/proc', String(this.engine.pid)));
    } catch {
      return true; // dockerd restarted: new sockets, maybe new paths
    }
    return this.engine.sockets.some((s) => {
      const now = statSocket(s.path, s.daemon);
      return now?.dev !== s.dev || now.ino !== s.ino;
    });
  }

  /** Learns the engine's sockets at the first cycle and again when they may have changed. */
  async refresh(): Promise<void> {
    this.cyclesSinceLearn += 1;
    if (!this.stale()) return;
    this.engine = await this.options.learn();
    this.learned = true;
    this.cyclesSinceLearn = 0;
    this.byFile = new Map(this.engine.sockets.map((s) => [fileKey(s.dev, s.ino), s]));
    this.mountsChecked.clear();
    if (this.engine.problem === undefined && this.engine.sockets.length === 0)
      this.note(
        `dockerd ${this.engine.pid ?? ''} has no unix API socket to watch: connections to the Docker API are seen on TCP only`,
      );
    if (this.engine.problem !== undefined)
      this.note(
        `the engine's own sockets were learned only partly (${this.engine.problem}); unix-socket connections to the Docker API are seen only on ${this.engine.sockets.map((s) => s.path).join(', ') || 'no socket'}`,
      );
  }

  /** New connections to an engine socket in the namespaces of `units`, each with the mount it came through. */
  poll(
    units: readonly NamespaceUnit[],
    scan: ProcessScan,
  ): { container: NetContainer; connection: UnixConnection }[] {
    const start = process.hrtime.bigint();
    this.lastNamespaces = 0;
    this.lastSockets = 0;
    const out: { container: NetContainer; connection: UnixConnection }[] = [];
    const load = this.options.addon();
    if (!load.ok) {
      this.note(
        `connections to the engine's unix sockets (a bind-mounted docker.sock) are not seen: ${load.reason}`,
      );
      return out;
    }
    if (this.byFile.size === 0) return out;
    for (const unit of units) {
      let dump: UnixSocketDump;
      try {
        dump = load.addon.unixSockets(join(this.options.procRoot ?? '/proc', String(unit.pid), 'ns', 'net'));
      } catch (error) {
        // a namespace gone since the grouping is the TCP poll's to report
        if (errnoCode(error) !== 'ENOENT')
          this.note(
            `${unit.primary.name}: unix sockets of namespace ${unit.inode} cannot be listed: ${error instanceof Error ? error.message : String(error)}`,
          );
        continue;
      }
      this.lastNamespaces += 1;
      this.lastSockets += dump.total;
      for (const hit of daemonConnections(unit, dump, this.byFile, scan)) {
        const exe = hit.pid === undefined ? undefined : exeOf(hit.pid, this.options.procRoot);
        const key = `${hit.container.id}|${hit.socket.path}|${exe ?? '?'}`;
        if (this.reported.has(key)) continue;
        this.reported.add(key);
        const via = socketMounts(hit.container.mounts, [hit.socket])[0]?.inside;
        out.push({ container: hit.container, connection: { socket: hit.socket, pid: hit.pid, exe, via } });
      }
    }
    this.lastUs = Number(process.hrtime.bigint() - start) / 1000;
    return out;
  }

  /** Bind mounts exposing an engine socket, once per container and socket. */
  mounts(containers: readonly NetContainer[]): { container: NetContainer; mount: SocketMount }[] {
    const out: { container: NetContainer; mount: SocketMount }[] = [];
    if (this.engine.sockets.length === 0) return out;
    for (const container of containers) {
      if (container.mounts.length === 0 || this.mountsChecked.has(container.id)) continue;
      this.mountsChecked.add(container.id);
      for (const mount of socketMounts(container.mounts, this.engine.sockets)) {
        const key = `${container.id}|${mount.socket.path}`;
        if (this.mountsReported.has(key)) continue;
        this.mountsReported.add(key);
        out.push({ container, mount });
      }
    }
    return out;
  }
}
