// The decision log under real failures: a full filesystem (a 64 KiB tmpfs, and /dev/full), a directory that
// vanishes before a reopen, a bounded buffer; every line is in the file when write() returns (the guarantee the
// plugin gives before answering dockerd).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DecisionLog } from '../../src/authz/decision-log.js';

const dir = mkdtempSync(join(tmpdir(), 'bh-authz-log-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

function clock(): { now: () => number; advance: (ms: number) => void } {
  let t = 0;
  return { now: () => t, advance: (ms) => (t += ms) };
}

/** A tiny tmpfs, so that ENOSPC is the kernel's own; undefined when this process may not mount. */
function tinyTmpfs(): string | undefined {
  const mnt = join(dir, 'tiny');
  mkdirSync(mnt);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  after(() => {
    execFileSync('umount', [mnt], { stdio: 'ignore' });
  });
  return mnt;
}

describe('authz decision log', () => {
  it('a line is in the file when write() returns', () => {
    const file = join(dir, 'sync.jsonl');
    const log = new DecisionLog({ path: file, stderr: () => undefined });
    log.write('{"n":1}');
    assert.equal(readFileSync(file, 'utf8'), '{"n":1}\n');
    log.close();
  });

  const mnt = tinyTmpfs();
  it(
    'a full tmpfs (real ENOSPC): writes never throw, one report, lines kept and written once space returns',
    { skip: mnt === undefined ? 'mount(2) not permitted here' : false },
    () => {
      if (mnt === undefined) return;
      const filler = join(mnt, 'filler');
      // fill the filesystem to the last block
      try {
        writeFileSync(filler, Buffer.alloc(128 * 1024, 1));
      } catch {
        // ENOSPC: the filler holds what fitted
      }
      const reports: string[] = [];
      const c = clock();
      const file = join(mnt, 'decisions.jsonl');
      const log = new DecisionLog({ path: file, stderr: (t) => reports.push(t), retryMs: 1000, now: c.now });
      for (let i = 0; i < 50; i += 1) log.write(JSON.stringify({ n: i, pad: 'x'.repeat(100) }));
      assert.equal(reports.length, 1, reports.join(''));
      assert.match(reports[0] ?? '', /cannot write .*decisions.jsonl \(ENOSPC\); decisions continue/);
      assert.ok(log.stats().failures >= 1);
      assert.ok(log.stats().buffered > 0);
      rmSync(filler);
      c.advance(1000);
      log.write(JSON.stringify({ n: 50 }));
      const lines = readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      assert.deepEqual(
        lines.filter((l) => 'n' in l).map((l) => l['n']),
        Array.from({ length: 51 }, (_, i) => i),
      );
      assert.ok(lines.some((l) => l['event'] === 'decision_log_recovered'));
      assert.match(reports[1] ?? '', /writable again/);
      log.close();
    },
  );

  it('/dev/full: ENOSPC on every write, buffer bounded, oldest lines dropped and counted', () => {
    const reports: string[] = [];
    const log = new DecisionLog({ path: '/dev/full', stderr: (t) => reports.push(t), maxBuffered: 10 });
    for (let i = 0; i < 25; i += 1) log.write(`{"n":${i}}`);
    const stats = log.stats();
    assert.equal(stats.buffered, 10);
    assert.equal(stats.dropped, 15);
    assert.equal(stats.lastError, 'ENOSPC');
    assert.equal(reports.length, 1);
    log.close();
  });

  it('a reopen after the directory vanished is reported; the log comes back with the directory', () => {
    const logDir = join(dir, 'gone');
    mkdirSync(logDir);
    const file = join(logDir, 'd.jsonl');
    const reports: string[] = [];
    const c = clock();
    const log = new DecisionLog({ path: file, stderr: (t) => reports.push(t), now: c.now });
    log.write('{"n":0}');
    rmSync(logDir, { recursive: true });
    log.reopen();
    assert.match(reports[0] ?? '', /cannot open .*d.jsonl \(ENOENT\)/);
    log.write('{"n":1}');
    assert.equal(existsSync(file), false);
    mkdirSync(logDir);
    c.advance(999);
    log.write('{"n":2}');
    assert.equal(existsSync(file), false, 'no retry before retryMs');
    c.advance(1);
    log.write('{"n":3}');
    const text = readFileSync(file, 'utf8');
    assert.match(text, /^\{"n":1\}\n\{"n":2\}\n\{"n":3\}\n\{[^\n]*"decision_log_recovered"/);
    log.close();
  });
});
