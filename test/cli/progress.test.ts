// The one progress reporter (src/cli/progress.ts): status lines on a terminal through cli-progress, throttled or
// final-only lines off a terminal, nothing with --quiet.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CliIO } from '../../src/cli/io.js';
import { createProgress } from '../../src/cli/progress.js';

function io(isTTY: boolean, out: string[]): CliIO {
  return { stdout: () => undefined, stderr: (t) => void out.push(t), isTTY, env: {}, cwd: '/' };
}

describe('createProgress', () => {
  it('draws and clears a status line on a terminal', async () => {
    const out: string[] = [];
    const progress = createProgress(io(true, out), { quiet: false, offTerminal: 'final', intervalMs: 10 });
    progress.task().update('layer 1/3');
    // the line is drawn on cli-progress's redraw timer: poll for it (up to 10 s) instead of guessing a delay
    for (let i = 0; i < 1000 && !out.join('').includes('layer 1/3'); i += 1)
      await new Promise((resolve) => setTimeout(resolve, 10));
    progress.stop();
    assert.match(out.join(''), /layer 1\/3/);
  });

  it('keeps finished lines on a terminal when asked (downloads)', () => {
    const out: string[] = [];
    const progress = createProgress(io(true, out), {
      quiet: false,
      offTerminal: 'final',
      intervalMs: 100,
      keep: true,
    });
    const task = progress.task();
    task.update('feed 10%');
    task.done('fetched http://x/feed (1 KiB)');
    progress.stop();
    assert.match(out.join(''), /fetched http:\/\/x\/feed \(1 KiB\)/);
  });

  it('off a terminal prints throttled lines, or only final ones', () => {
    const lines: string[] = [];
    const chatty = createProgress(io(false, lines), {
      quiet: false,
      offTerminal: 'lines',
      intervalMs: 60_000,
    });
    const task = chatty.task();
    task.update('read 1 layer');
    task.update('read 2 layers');
    task.done('finished');
    assert.deepEqual(lines, ['bulkhead: read 1 layer\n', 'finished\n']);
    const finals: string[] = [];
    const quietish = createProgress(io(false, finals), { quiet: false, offTerminal: 'final', intervalMs: 0 });
    quietish.task().update('x');
    quietish.task().done('fetched y');
    assert.deepEqual(finals, ['fetched y\n']);
  });

  it('says nothing with --quiet, and waits delayMs before the first line', () => {
    const out: string[] = [];
    const quiet = createProgress(io(false, out), { quiet: true, offTerminal: 'lines', intervalMs: 0 });
    quiet.task().update('x');
    quiet.task().done('y');
    const delayed = createProgress(io(false, out), {
      quiet: false,
      offTerminal: 'lines',
      intervalMs: 0,
      delayMs: 60_000,
    });
    delayed.task().update('too early');
    assert.deepEqual(out, []);
  });
});
