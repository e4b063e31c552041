// The engine's own host paths, learned from the engine itself so that no policy has to spell them: the data root
// from the Engine API's GET /info (DockerRootDir), and the exec root, API sockets, containerd socket and config
// file from the dockerd process that owns that data root (/proc/<pid>/cmdline as pflag reads it — `--flag value`,
// `--flag=value`, `-H value`, `-Hvalue`, the last value wins and -H accumulates — then its daemon.json, then
// dockerd's defaults), plus the unix sockets that process listens on (/proc/<pid>/fd against /proc/net/unix: also
// systemd-activated `-H fd://` sockets). The plugin adds what it knows itself: the socket it talks to and its own
// policy and decision log. A daemon started with --data-root /srv/docker then has /srv/docker protected.
import { readdirSync, readFileSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { posix } from 'node:path';
import { z } from 'zod';
import { parseDockerdArgs } from '../shared/dockerd.js';
import { procStatFields, socketInodes } from '../shared/proc.js';

export interface DockerdFlags {
  readonly dataRoot?: string;
  readonly execRoot?: string;
  readonly hosts: readonly string[];
  readonly configFile?: string;
  readonly containerd?: string;
}

/** The flags that matter here from dockerd's argv (without argv[0]), read by the one dockerd parser
 * (shared/dockerd.ts): the last value wins, -H/--host accumulate, --graph/-g is the old --data-root. */
export function engineFlagsOf(args: readonly string[]): DockerdFlags {
  const { flags } = parseDockerdArgs(args);
  const last = (...names: string[]): string | undefined => {
    for (const name of names) {
      const values = flags[name];
      if (values !== undefined && values.length > 0) return values[values.length - 1];
    }
    return undefined;
  };
  const dataRoot = last('data-root', 'graph');
  const execRoot = last('exec-root');
  const configFile = last('config-file');
  const containerd = last('containerd');
  return {
    hosts: flags['host'] ?? [],
    ...(dataRoot === undefined ? {} : { dataRoot }),
    ...(execRoot === undefined ? {} : { execRoot }),
    ...(configFile === undefined ? {} : { configFile }),
    ...(containerd === undefined ? {} : { containerd }),
  };
}

const daemonJsonSchema = z.looseObject({
  'data-root': z.string().optional(),
  graph: z.string().optional(),
  'exec-root': z.string().optional(),
  hosts: z.array(z.string()).optional(),
  containerd: z.string().optional(),
});

/** A unix:// host as a path; other schemes (tcp://, fd://) have none. */
function unixPath(host: string): string | undefined {
  return host.startsWith('unix://') ? host.slice('unix://'.length) : undefined;
}

export interface DockerdProcess {
  readonly pid: number;
  readonly dataRoot: string;
  readonly execRoot: string;
  /** Unix API sockets: from -H/hosts (or the default), and those the process listens on. */
  readonly sockets: readonly string[];
  readonly containerd: string | undefined;
  readonly configFile: string;
  /** daemon.json could not be read or parsed (dockerd would not have started with a broken one). */
  readonly configProblem: string | undefined;
}

function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return posix.normalize(path);
  }
}

/** Paths of the listening unix sockets whose inodes the process holds open. */
function listeningSockets(procRoot: string, pid: number): string[] {
  const inodes = socketInodes(pid, procRoot);
  if (inodes === undefined) return [];
  let table: string;
  try {
    table = readFileSync(`${procRoot}/${pid}/net/unix`, 'utf8');
  } catch {
    return [];
  }
  const out: string[] = [];
  // Num RefCount Protocol Flags Type St Inode Path; Flags 00010000 is __SO_ACCEPTCON (listening)
  for (const line of table.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    const [flags, inode, path] = [cols[3], cols[6], cols[7]];
    if (path?.startsWith('/') === true && flags === '00010000' && inode !== undefined && inodes.has(inode))
      out.push(path);
  }
  return out;
}

/** Every dockerd process visible in procRoot, with its effective data root, exec root and sockets. */
export function dockerdProcesses(procRoot = '/proc'): DockerdProcess[] {
  let entries: string[];
  try {
    entries = readdirSync(procRoot).filter((e) => /^\d+$/.test(e));
  } catch {
    return [];
  }
  const out: DockerdProcess[] = [];
  for (const entry of entries) {
    const pid = Number(entry);
    let argv: string[];
    try {
      if (readFileSync(`${procRoot}/${pid}/comm`, 'utf8').trim() !== 'dockerd') continue;
      argv = readFileSync(`${procRoot}/${pid}/cmdline`, 'utf8')
        .split('\0')
        .filter((a) => a !== '');
    } catch {
      continue; // gone, or not ours to read
    }
    let cwd = '/';
    try {
      cwd = readlinkSync(`${procRoot}/${pid}/cwd`);
    } catch {
      // relative flag values are rare; resolve them against / when the cwd is hidden
    }
    const abs = (p: string): string => posix.resolve(cwd, p);
    const flags = engineFlagsOf(argv.slice(1));
    const configFile = abs(flags.configFile ?? '/etc/docker/daemon.json');
    let config: z.infer<typeof daemonJsonSchema> = {};
    let configProblem: string | undefined;
    try {
      const parsed = daemonJsonSchema.safeParse(JSON.parse(readFileSync(configFile, 'utf8')));
      if (parsed.success) config = parsed.data;
      else configProblem = `${configFile}: unexpected types`;
    } catch (error) {
      // no daemon.json is dockerd's normal case; anything else is reported
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') configProblem = `${configFile}: ${code ?? (error as Error).message}`;
    }
    const hosts = flags.hosts.length > 0 ? flags.hosts : (config.hosts ?? []);
    const declared = (hosts.length > 0 ? hosts : ['unix:///var/run/docker.sock'])
      .map(unixPath)
      .filter((p): p is string => p !== undefined)
      .map(abs);
    out.push({
      pid,
      dataRoot: abs(flags.dataRoot ?? config['data-root'] ?? config.graph ?? '/var/lib/docker'),
      execRoot: abs(flags.execRoot ?? config['exec-root'] ?? '/var/run/docker'),
      sockets: [...new Set([...declared, ...listeningSockets(procRoot, pid)])],
      containerd: (() => {
        const c = flags.containerd ?? config.containerd;
        return c === undefined ? undefined : abs(c);
      })(),
      configFile,
      configProblem,
    });
  }
  return out;
}

/**
 * The dockerd behind an engine: the one whose data root is /info's DockerRootDir (several daemons can run on one
 * host), or, without /info, the one whose sockets include the socket the client talks to.
 */
export function findDockerd(
  daemons: readonly DockerdProcess[],
  rootDir: string | undefined,
  socketPath: string | undefined,
): DockerdProcess | undefined {
  if (rootDir !== undefined) return daemons.find((d) => real(d.dataRoot) === real(rootDir));
  if (socketPath === undefined) return undefined;
  const socket = real(socketPath);
  return daemons.find((d) => d.sockets.some((s) => real(s) === socket));
}

/** A system containerd's socket: when it exists dockerd uses that containerd instead of starting its own. */
const SYSTEM_CONTAINERD_SOCKET = '/run/containerd/containerd.sock';

/**
 * The containerd API sockets a dockerd uses: its --containerd (or daemon.json "containerd"); else the unix sockets
 * its managed containerd child listens on (dockerd starts one under <exec-root>/containerd unless a system
 * containerd answers at /run/containerd/containerd.sock, cmd/dockerd/daemon.go systemContainerdRunning); else that
 * system socket when it exists.
 */
export function containerdSockets(daemon: DockerdProcess, procRoot = '/proc'): string[] {
  if (daemon.containerd !== undefined) return [daemon.containerd];
  let entries: string[];
  try {
    entries = readdirSync(procRoot).filter((e) => /^\d+$/.test(e));
  } catch {
    return [];
  }
  const managed: string[] = [];
  for (const entry of entries) {
    try {
      if (readFileSync(`${procRoot}/${entry}/comm`, 'utf8').trim() !== 'containerd') continue;
      const ppid = Number(procStatFields(entry, procRoot)?.[1]);
      if (ppid === daemon.pid) managed.push(...listeningSockets(procRoot, Number(entry)));
    } catch {
      continue; // gone
    }
  }
  if (managed.length > 0) return [...new Set(managed)];
  try {
    statSync(SYSTEM_CONTAINERD_SOCKET);
    return [SYSTEM_CONTAINERD_SOCKET];
  } catch {
    return [];
  }
}

export interface LearnedPath {
  readonly path: string;
  /** Where it was learned, for the log: "data root (/info)", "exec root (dockerd 1234)"... */
  readonly why: string;
}

export interface LearnedPaths {
  readonly paths: readonly LearnedPath[];
  /** Why /info could not be read (undefined when it was). */
  readonly infoError: string | undefined;
  /** The dockerd process the paths were taken from, if one was found. */
  readonly pid: number | undefined;
}

export interface LearnOptions {
  /** dockerd's API socket the plugin uses (its --host); undefined with --host none. */
  readonly socketPath: string | undefined;
  /** GET /info on that socket; undefined when there is no engine to ask. */
  readonly info: (() => Promise<unknown>) | undefined;
  /** The plugin's own files (policy, decision log): a container that can write them rewrites the policy. */
  readonly ownFiles: readonly string[];
  readonly procRoot?: string;
}

const infoSchema = z.looseObject({ DockerRootDir: z.string().min(1) });

/**
 * The engine's paths: /info's DockerRootDir; the dockerd process whose data root is that directory (or, when /info
 * cannot be read, whose sockets include the plugin's socket) for exec root, sockets, containerd and daemon.json;
 * the plugin's socket and own files. Never throws: what could not be learned is missing from the answer, and
 * infoError says why /info failed.
 */
export async function learnEnginePaths(options: LearnOptions): Promise<LearnedPaths> {
  const paths: LearnedPath[] = [];
  const add = (path: string | undefined, why: string): void => {
    if (path?.startsWith('/') !== true) return;
    // a socket inside the exec root (metrics.sock, libnetwork/*.sock) is already covered by it
    if (!paths.some((p) => path === p.path || path.startsWith(`${p.path}/`))) paths.push({ path, why });
  };
  let rootDir: string | undefined;
  let infoError: string | undefined;
  if (options.info === undefined) infoError = 'no engine socket (--host none)';
  else {
    try {
      const parsed = infoSchema.safeParse(await options.info());
      if (parsed.success) rootDir = parsed.data.DockerRootDir;
      else infoError = '/info has no DockerRootDir';
    } catch (error) {
      infoError = error instanceof Error ? error.message : String(error);
    }
  }
  add(rootDir, 'data root (/info DockerRootDir)');
  const daemon = findDockerd(dockerdProcesses(options.procRoot), rootDir, options.socketPath);
  if (daemon !== undefined) {
    const of = `dockerd ${daemon.pid}`;
    add(daemon.dataRoot, `data root (${of})`);
    add(daemon.execRoot, `exec root (${of})`);
    for (const s of daemon.sockets) add(s, `API socket (${of})`);
    add(daemon.containerd, `containerd socket (${of})`);
    add(daemon.configFile, `daemon.json (${of})`);
  }
  add(options.socketPath, 'the socket the plugin resolves through (--host)');
  for (const file of options.ownFiles) add(file, 'the plugin’s own file');
  return { paths, infoError, pid: daemon?.pid };
}
