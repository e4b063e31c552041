// Runs `bulkhead watch` as a child process for tests (SIGTERM to stop, stderr kept) and polls its event database.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { EventStore, type StoredEvent } from '../../src/watch/store.js';

export const ROOT = join(import.meta.dirname, '..', '..');

export interface RunningWatch {
  readonly child: ChildProcess;
  stderr: () => string;
  stop: () => Promise<number | null>;
}

/**
 * Starts `bulkhead watch ARGS` and waits for its start-up line ("bulkhead watch: <mode> mode"); `prefix` is a command
 * that runs it (`setpriv ... --`: the systemd unit's capability set).
 */
export async function startWatch(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
  prefix: readonly string[] = [],
): Promise<RunningWatch> {
  const argv = [process.execPath, '--import', 'tsx', 'test/harness/bulkhead-dev.ts', 'watch', ...args];
  const [file = process.execPath, ...rest] = [...prefix, ...argv];
  const child = spawn(file, rest, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((done) => {
    child.on('exit', (code) => {
      done(code);
    });
  });
  const deadline = Date.now() + 90_000;
  while (!/bulkhead watch: \w+ mode/.test(err)) {
    if (child.exitCode !== null || Date.now() > deadline) assert.fail(`watch did not start:\n${err}`);
    await sleep(100);
  }
  return {
    child,
    stderr: () => err,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Runs `bulkhead watch ARGS` to completion (for commands that exit: status, refusals). */
export function runWatch(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'test/harness/bulkhead-dev.ts', 'watch', ...args],
    { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 },
  );
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Runs `bulkhead watch status ARGS` until its output matches `pattern` (the running watch rewrites its status row
 * every second), up to 30 s, and returns the last run: polling on the row instead of sleeping past a rewrite.
 */
export async function waitForStatus(
  args: readonly string[],
  pattern: RegExp,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const run = runWatch(['status', ...args]);
    if (pattern.test(run.stdout) || Date.now() > deadline) return run;
    await sleep(200);
  }
}

/** Waits (up to 90 s) until the database holds `count` events matching `pred`, and returns them. */
export async function waitForEvents(
  db: string,
  what: string,
  pred: (e: StoredEvent) => boolean,
  count = 1,
): Promise<StoredEvent[]> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (existsSync(db)) {
      const store = new EventStore(db, { readonly: true });
      const all = store.query({ limit: 100_000 });
      const found = all.filter(pred);
      store.close();
      if (found.length >= count || Date.now() > deadline) {
        // On a timeout, name the newest events, so that a failure says what did arrive.
        const newest = all
          .slice(-12)
          .map((e) => [e.kind, e.containerName, e.path, e.detail['source'], e.verdict].map(String).join(' '));
        assert.ok(
          found.length >= count,
          `${what}: ${found.length} of ${count} events; newest:\n${newest.join('\n')}`,
        );
        return found;
      }
    }
    await sleep(200);
  }
}

/** Every event in the database. */
export function allEvents(db: string): StoredEvent[] {
  const store = new EventStore(db, { readonly: true });
  try {
    return store.query({ limit: 100_000 });
  } finally {
    store.close();
  }
}
