// The addon's proc connector decoder on hand-built netlink messages (linux/cn_proc.h layouts), and the live
// reader seeing a real exec with the facts it reads at once (cmdline, cgroup).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { loadWatchAddon, type NativeRecord, type WatchAddon } from '../../src/native/index.js';

function addon(): WatchAddon {
  const load = loadWatchAddon();
  if (!load.ok) assert.fail(load.reason);
  return load.addon;
}

const NLMSG_DONE = 3;
const CN_IDX_PROC = 1;
const EVENT = { fork: 0x1, exec: 0x2, uid: 0x4, comm: 0x200, exit: 0x80000000 } as const;

/** nlmsghdr (16) + cn_msg (20) + proc_event header (what, cpu, timestamp_ns: 16) + event_data words. */
function message(
  what: number,
  data: readonly number[],
  opts: { idx?: number; truncate?: number } = {},
): Buffer {
  const payload = 16 + data.length * 4;
  const buf = Buffer.alloc(16 + 20 + payload);
  buf.writeUInt32LE(buf.length, 0);
  buf.writeUInt16LE(NLMSG_DONE, 4);
  buf.writeUInt32LE(opts.idx ?? CN_IDX_PROC, 16);
  buf.writeUInt32LE(1, 20);
  buf.writeUInt16LE(payload - (opts.truncate ?? 0), 32);
  buf.writeUInt32LE(what, 36);
  buf.writeUInt32LE(1, 40);
  buf.writeBigUInt64LE(123456789n, 44);
  data.forEach((word, i) => buf.writeUInt32LE(word >>> 0, 52 + i * 4));
  return buf;
}

describe('decodeProc', () => {
  const cases: readonly { name: string; buf: Buffer; expect: Partial<NativeRecord> | null }[] = [
    {
      name: 'fork',
      buf: message(EVENT.fork, [100, 100, 101, 101]),
      expect: { kind: 'fork', ppid: 100, ptgid: 100, pid: 101, tgid: 101, timeNs: 123456789 },
    },
    { name: 'exec', buf: message(EVENT.exec, [200, 200]), expect: { kind: 'exec', pid: 200, tgid: 200 } },
    {
      name: 'exit',
      buf: message(EVENT.exit, [300, 300, 9, 17, 1, 1]),
      expect: { kind: 'exit', pid: 300, exitCode: 9, ppid: 1 },
    },
    {
      name: 'uid change (euid)',
      buf: message(EVENT.uid, [400, 400, 1000, 0]),
      expect: { kind: 'uid', uid: 0 },
    },
    { name: 'comm events are not used', buf: message(EVENT.comm, [1, 1, 0, 0, 0, 0]), expect: null },
    { name: 'another connector index', buf: message(EVENT.exec, [1, 1], { idx: 7 }), expect: null },
    { name: 'fork payload cut short', buf: message(EVENT.fork, [1, 1, 2, 2], { truncate: 8 }), expect: null },
    { name: 'shorter than a header', buf: Buffer.alloc(10), expect: null },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const out = addon().decodeProc(c.buf);
      if (c.expect === null) assert.equal(out, null);
      else {
        assert.ok(out !== null);
        for (const [key, value] of Object.entries(c.expect))
          assert.equal(out[key as keyof NativeRecord], value, key);
      }
    });
  }
});

describe('proc connector reader', { skip: process.getuid?.() !== 0 ? 'needs root' : false }, () => {
  it('sees an exec with the cmdline and cgroup it read at once', async () => {
    const a = addon();
    const seen: NativeRecord[] = [];
    a.procStart((batch) => seen.push(...batch));
    try {
      const child = execFileSync('/bin/sh', ['-c', 'exec /bin/sleep 0.2'], { encoding: 'utf8' });
      assert.equal(child, '');
      const deadline = Date.now() + 3000;
      const mine = (): NativeRecord | undefined =>
        seen.find((r) => r.kind === 'exec' && r.cmdline === '/bin/sleep\x000.2\0');
      while (mine() === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      const rec = mine();
      assert.ok(rec, 'exec event seen');
      assert.equal(rec.comm, 'sleep');
      assert.match(rec.cgroup ?? '', /^\d+:/);
      assert.ok(seen.some((r) => r.kind === 'fork'));
      assert.equal(a.counters().procOverflows, 0);
    } finally {
      a.procStop();
    }
  });
});
