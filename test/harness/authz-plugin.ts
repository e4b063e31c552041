// Starts `bulkhead authz serve` as its own process (the way dockerd's plugin runs), for the authz CLI and e2e
// tests: waits for its socket, keeps its stderr, stops it with SIGTERM (SIGKILL if it does not exit), and polls
// for what it logs instead of sleeping.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const ROOT = resolve(import.meta.dirname, '..', '..');

/** Polls until `check` holds (the logged event, a file, a closed socket), failing after `timeoutMs`. */
export async function waitFor(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}

/** A file's text, '' while it does not exist (a decision log before its first line). */
export function textOf(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

export interface AuthzPluginOptions {
  readonly policy: string;
  readonly socket: string;
  /** --docker-host: "none" or unix://<dockerd's socket>. */
  readonly dockerHost?: string;
  /** --decision-log (default: stdout, which is kept in `stdout()`). */
  readonly decisionLog?: string;
  /** More flags for `authz serve`. */
  readonly args?: readonly string[];
}

export interface AuthzPlugin {
  readonly socket: string;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** The exit code once the process has exited. */
  readonly exited: Promise<number | null>;
  readonly kill: (signal: NodeJS.Signals) => void;
  readonly alive: () => boolean;
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`; resolves once it is gone. */
  readonly stop: (graceMs?: number) => Promise<void>;
}

/** Spawns the plugin from source and resolves once its socket exists (rejects, with its stderr, if it exits first). */
export async function startAuthzPlugin(options: AuthzPluginOptions): Promise<AuthzPlugin> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      resolve(ROOT, 'src/cli/run.ts'),
      'authz',
      'serve',
      '--policy',
      options.policy,
      '--socket',
      options.socket,
      '--docker-host',
      options.dockerHost ?? 'none',
      ...(options.decisionLog === undefined ? [] : ['--decision-log', options.decisionLog]),
      ...(options.args ?? []),
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((done) => {
    child.on('exit', (code) => {
      done(code);
    });
  });
  const alive = (): boolean => child.exitCode === null && child.signalCode === null;
  const stop = async (graceMs = 5000): Promise<void> => {
    if (!alive()) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitFor(
      `the plugin socket ${options.socket}`,
      () => existsSync(options.socket) || !alive(),
      30_000,
    );
  } catch (error) {
    await stop(0);
    throw error;
  }
  if (!existsSync(options.socket)) throw new Error(`bulkhead authz serve exited before listening: ${stderr}`);
  return {
    socket: options.socket,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    kill: (signal) => child.kill(signal),
    alive,
    stop,
  };
}
