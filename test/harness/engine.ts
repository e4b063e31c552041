// A private, hermetic dockerd for tests (DESIGN.md "Test engine"): own socket, data root, exec root and
// pidfile, no bridge, runc + runsc runtimes; never the system daemon, never traffic beyond loopback.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface EngineOptions {
  /** Directory for socket, data and state; a fresh temp dir when absent. Keep it short: unix sockets allow ~107 bytes. */
  readonly dir?: string;
  /** Extra daemon.json keys merged over the hermetic defaults. */
  readonly config?: Readonly<Record<string, unknown>>;
  /** Extra dockerd arguments, e.g. ["--authorization-plugin=bulkhead", "--host=tcp://127.0.0.1:2376", "--tlsverify", ...]. */
  readonly args?: readonly string[];
  /** Seconds to wait for the API to answer. */
  readonly startTimeoutSeconds?: number;
}

export interface Engine {
  readonly dir: string;
  readonly socket: string;
  /** DOCKER_HOST form of the socket: unix:///.../docker.sock */
  readonly host: string;
  readonly pidfile: string;
  readonly configFile: string;
  readonly logFile: string;
  readonly pid: number;
  /** Runs the docker CLI against this engine and returns stdout. */
  docker(args: readonly string[], input?: string | Buffer): string;
  stop(): Promise<void>;
}

export const HERMETIC_CONFIG = {
  bridge: 'none',
  iptables: false,
  'ip-forward': false,
  runtimes: { runsc: { path: '/usr/bin/runsc', runtimeArgs: ['--network=none'] } },
} as const;

const DOCKER_CLI = existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Lazily unmounts everything mounted below `prefix` (overlay layers, shm, runsc state), deepest first. */
export function unmountBelow(prefix: string): void {
  const mounts = readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[1]?.replace(/\\040/g, ' '))
    .filter((target): target is string => target?.startsWith(prefix) === true)
    .sort((a, b) => b.length - a.length);
  for (const target of mounts) {
    try {
      execFileSync('umount', ['-l', target], { stdio: 'ignore' });
    } catch {
      // already gone
    }
  }
}

export async function startEngine(options: EngineOptions = {}): Promise<Engine> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'bh-eng-'));
  mkdirSync(dir, { recursive: true });
  const socket = join(dir, 'docker.sock');
  const pidfile = join(dir, 'docker.pid');
  const configFile = join(dir, 'daemon.json');
  const logFile = join(dir, 'dockerd.log');
  writeFileSync(configFile, JSON.stringify({ ...HERMETIC_CONFIG, ...options.config }, null, 2));
  const log = openSync(logFile, 'a');
  const child = spawn(
    'dockerd',
    [
      `--host=unix://${socket}`,
      `--data-root=${join(dir, 'data')}`,
      `--exec-root=${join(dir, 'exec')}`,
      `--pidfile=${pidfile}`,
      `--config-file=${configFile}`,
      ...(options.args ?? []),
    ],
    { stdio: ['ignore', log, log], detached: true },
  );
  child.unref();
  const pid = child.pid;
  if (pid === undefined) throw new Error('dockerd did not start (is docker.io installed?)');
  const host = `unix://${socket}`;
  const docker = (args: readonly string[], input?: string | Buffer): string =>
    execFileSync(DOCKER_CLI, ['--host', host, ...args], {
      encoding: 'utf8',
      input,
      env: {
        ...process.env,
        DOCKER_API_VERSION: '',
        DOCKER_CONTEXT: '',
        DOCKER_CONFIG: join(dir, 'cli-config'),
      },
      maxBuffer: 256 * 1024 * 1024,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  const stop = async (): Promise<void> => {
    if (isAlive(pid)) {
      process.kill(pid, 'SIGTERM');
      for (let i = 0; i < 150 && isAlive(pid); i += 1) await sleep(100);
      if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    }
    unmountBelow(dir);
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  };
  const deadline = Date.now() + (options.startTimeoutSeconds ?? 60) * 1000;
  for (;;) {
    if (!isAlive(pid)) {
      const tail = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n') : '';
      unmountBelow(dir);
      throw new Error(`dockerd exited during start-up; log ${logFile}:\n${tail}`);
    }
    try {
      docker(['version', '--format', '{{.Server.Version}}']);
      break;
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`dockerd did not answer on ${socket} within the start timeout`);
      }
      await sleep(200);
    }
  }
  return { dir, socket, host, pidfile, configFile, logFile, pid, docker, stop };
}

/** Makes a busybox rootfs (static busybox + applet symlinks) and imports it as `tag`. */
export function importBusybox(engine: Engine, tag: string, changes: readonly string[] = []): void {
  const root = mkdtempSync(join(tmpdir(), 'bh-bb-'));
  try {
    for (const sub of ['bin', 'etc', 'tmp', 'proc', 'sys', 'dev', 'root']) mkdirSync(join(root, sub));
    execFileSync('cp', ['/bin/busybox', join(root, 'bin', 'busybox')]);
    const applets = execFileSync(join(root, 'bin', 'busybox'), ['--list'], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);
    for (const applet of applets)
      if (applet !== 'busybox') execFileSync('ln', ['-s', 'busybox', join(root, 'bin', applet)]);
    writeFileSync(
      join(root, 'etc', 'passwd'),
      'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\napp:x:1000:1000:app:/tmp:/bin/sh\n',
    );
    writeFileSync(join(root, 'etc', 'group'), 'root:x:0:\nnogroup:x:65534:\napp:x:1000:\n');
    const tar = execFileSync('tar', ['-C', root, '-c', '.'], { maxBuffer: 64 * 1024 * 1024 });
    engine.docker(['import', ...changes.flatMap((c) => ['--change', c]), '-', tag], tar);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
