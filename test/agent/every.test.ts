// `bulkhead agent --every` keeps running between runs, also after a failed one, until SIGTERM: the wait between
// runs was an unref'd timer, so after a run that failed (an unreachable server) Node had nothing left to wait for
// and exited 13 at once (an unsettled top-level await); now the wait holds the process and a signal ends it (exit 0).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

const ROOT = join(import.meta.dirname, '..', '..');

describe('bulkhead agent --every', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bh-agent-every-'));
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('waits for the next run after a failed one and stops on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/run.ts',
        'agent',
        '--every',
        '1h',
        // port 9 (discard) on loopback: nothing listens, the enrolment fails at once
        '--server',
        'http://127.0.0.1:9',
        '--token',
        'x',
        '--state',
        join(dir, 'state'),
        '--root',
        join(dir, 'no-root'),
        '--host',
        `unix://${join(dir, 'no.sock')}`,
      ],
      { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    let err = '';
    await new Promise<void>((done, fail) => {
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        if (err.includes('run failed')) done();
      });
      void exited.then(([code]) => {
        fail(new Error(`exited ${String(code)} before its first run failed:\n${err}`));
      });
    });
    assert.match(err, /cannot reach the fleet server at http:\/\/127\.0\.0\.1:9/);
    child.kill('SIGTERM');
    const [code, signal] = await exited;
    assert.deepEqual({ code, signal }, { code: 0, signal: null }, err);
  });
});
