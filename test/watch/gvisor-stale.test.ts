// Telling a stale bulkhead trace session from another tool's (src/watch/gvisor-stale.ts): `runsc trace list` output
// from a hostile sandbox is refused with a message naming it; a session record is honoured only while its sandbox,
// its sink connection and its socket say so, and its watch is gone. The "sandbox" here is this test process (its
// fds are real), the dead watch a child that has exited, the sockets real SOCK_SEQPACKET ones from the addon.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, fstatSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadWatchAddon, type SeqpacketOps } from '../../src/native/index.js';
import {
  parseTraceList,
  probeStaleSession,
  processStart,
  recordPath,
  writeRecord,
  type SessionRecord,
} from '../../src/watch/gvisor-stale.js';

const ID = 'c'.repeat(64);
const BULKHEAD_LIST = 'SESSIONS (1)\n"Default"\n\tSink: "remote", dropped: 0\n';

describe('runsc trace list output', () => {
  const cases: readonly { name: string; stdout: string; sessions?: unknown; error?: RegExp }[] = [
    { name: 'none', stdout: 'SESSIONS (0)\n', sessions: [] },
    { name: "bulkhead's shape", stdout: BULKHEAD_LIST, sessions: [{ name: 'Default', sinks: ['remote'] }] },
    {
      name: 'a session without sinks, and a quoted name',
      stdout: 'SESSIONS (1)\n"De\\"fault"\n',
      sessions: [{ name: 'De\\"fault', sinks: [] }],
    },
    { name: 'empty', stdout: '', error: /no "SESSIONS \(N\)" first line/ },
    {
      name: 'a count that lies',
      stdout: 'SESSIONS (2)\n"Default"\n',
      error: /counts 2 session\(s\) and names 1/,
    },
    {
      name: 'an injected line',
      stdout:
        'SESSIONS (1)\n"Default"\n\tSink: "remote", dropped: 0\nendpoint: /run/bulkhead/gvisor/x.sock\n',
      error: /line 4 is neither a session name nor a sink/,
    },
    {
      name: 'a sink before any session',
      stdout: 'SESSIONS (0)\n\tSink: "remote", dropped: 0\n',
      error: /line 2/,
    },
    {
      name: 'a huge output',
      stdout: `SESSIONS (1)\n"${'x'.repeat(70_000)}"\n`,
      error: /longer than 65536 bytes/,
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      const r = parseTraceList(c.stdout);
      if (c.error === undefined) assert.deepEqual(r, { ok: true, sessions: c.sessions });
      else {
        assert.equal(r.ok, false);
        assert.match(r.error, c.error);
        assert.match(r.error, /^`runsc trace list` printed "/, 'names the command and quotes its output');
        assert.ok(r.error.length < 400, 'quotes a bounded excerpt');
      }
    });
});

describe('stale bulkhead trace sessions', () => {
  let ops: SeqpacketOps | undefined;
  let dir: string;
  let deadPid: number;
  // the "sandbox" (this process) holds the sink's end: a connected socket whose listener is gone
  let sinkFd: number;
  let sinkInode: string;
  const socket = (): string => join(dir, `${deadPid}-cccccccccccc.sock`);
  const record = (over: Partial<SessionRecord> = {}): SessionRecord => ({
    version: 1,
    containerId: ID,
    watchPid: deadPid,
    watchStart: '1',
    socket: socket(),
    sandboxPid: process.pid,
    sandboxStart: processStart(process.pid) ?? '',
    sinkInodes: [sinkInode],
    ...over,
  });
  const probe = (sessions = parseTraceList(BULKHEAD_LIST)) => {
    assert.ok(sessions.ok && ops !== undefined);
    const o = ops;
    return probeStaleSession({
      dir,
      containerId: ID,
      sandboxPid: process.pid,
      sessions: sessions.sessions,
      connect: (p) => o.connect(p),
      closeFd: closeSync,
    });
  };

  before(() => {
    const load = loadWatchAddon();
    ops = load.ok ? load.addon.seqpacket : undefined;
    dir = mkdtempSync(join(tmpdir(), 'bh-gv-stale-'));
    deadPid = spawnSync(process.execPath, ['-e', '0']).pid;
    if (ops === undefined) return;
    const listenFd = ops.listen(socket());
    sinkFd = ops.connect(socket());
    sinkInode = String(fstatSync(sinkFd).ino);
    closeSync(listenFd); // the watch died: its socket file stays, nothing listens
  });
  after(() => {
    if (ops !== undefined) closeSync(sinkFd);
    rmSync(dir, { recursive: true, force: true });
  });

  it('takes back a recorded session whose watch is gone, once (the record is claimed)', (t) => {
    if (ops === undefined) {
      t.skip('no SOCK_SEQPACKET in the watch addon');
      return;
    }
    writeRecord(dir, record());
    const r = probe();
    assert.equal(r.stale, true);
    assert.equal(r.record.watchPid, deadPid);
    assert.ok(existsSync(r.claim));
    assert.equal(existsSync(recordPath(dir, ID)), false, 'a second prober finds no record');
    assert.deepEqual(probe(), { stale: false });
  });

  const notOurs: readonly {
    name: string;
    rec?: Partial<SessionRecord>;
    file?: string;
    why: RegExp | undefined;
    list?: string;
  }[] = [
    { name: 'no record: another tool', why: undefined, file: '' },
    { name: 'a session without a remote sink', rec: {}, list: 'SESSIONS (1)\n"Default"\n', why: undefined },
    { name: 'a garbled record', file: '{"version":1,', why: /is not JSON/ },
    {
      name: 'a record of another shape',
      file: '{"version":2}',
      why: /not a bulkhead trace session record: version/,
    },
    { name: 'an earlier sandbox', rec: { sandboxStart: '0' }, why: /earlier sandbox/ },
    {
      name: 'a replaced session',
      rec: { sinkInodes: ['1'] },
      why: /no longer holds the recorded watch's sink/,
    },
    { name: 'a running watch', rec: { watchPid: process.pid }, why: /still runs \(pid \d+\)/ },
    { name: 'a socket outside the directory', rec: { socket: '/tmp/x.sock' }, why: /is outside/ },
  ];
  for (const c of notOurs)
    it(`leaves alone ${c.name}`, (t) => {
      if (ops === undefined) {
        t.skip('no SOCK_SEQPACKET in the watch addon');
        return;
      }
      rmSync(recordPath(dir, ID), { force: true });
      if (c.file !== undefined) {
        if (c.file !== '') writeFileSync(recordPath(dir, ID), c.file);
      } else writeRecord(dir, record(c.rec));
      const r = probe(c.list === undefined ? undefined : parseTraceList(c.list));
      assert.equal(r.stale, false);
      if (c.why === undefined) assert.equal(r.why, undefined);
      else assert.match(r.why ?? '', c.why);
      if (c.file !== '') assert.ok(existsSync(recordPath(dir, ID)), 'the record stays');
    });

  it('leaves alone a session whose socket has a live listener', (t) => {
    if (ops === undefined) {
      t.skip('no SOCK_SEQPACKET in the watch addon');
      return;
    }
    const path = join(dir, 'live.sock');
    const fd = ops.listen(path);
    try {
      writeRecord(dir, record({ socket: path }));
      const r = probe();
      assert.equal(r.stale, false);
      assert.match(r.why ?? '', /something still listens on its socket/);
    } finally {
      closeSync(fd);
    }
  });
});
