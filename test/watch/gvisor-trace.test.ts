// The runsc trace session manager (src/watch/gvisor-trace.ts) over the addon's real SOCK_SEQPACKET sockets, with
// the test playing a hostile sentry: handshake, malformed and oversize messages, spoofed container ids. Each is
// counted and logged, the valid points still arrive, attributed to the socket's container, and nothing throws.
import assert from 'node:assert/strict';
import { closeSync, readSync, statSync, writeSync } from 'node:fs';
import { describe, it } from 'node:test';
import { loadWatchAddon, type SeqpacketOps } from '../../src/native/index.js';
import { GvisorTracer, runscRootFromArgv, traceSessionConfig } from '../../src/watch/gvisor-trace.js';
import { encodeHandshake, type TracePoint } from '../../src/watch/gvisor-wire.js';
import { execMessage, header } from '../harness/gvisor-sentry.js';

const ID = 'a'.repeat(64);
const OTHER = 'b'.repeat(64);

function seqpacket(): SeqpacketOps | undefined {
  const load = loadWatchAddon();
  return load.ok ? load.addon.seqpacket : undefined;
}

describe('runsc trace sessions', () => {
  it('finds runsc --root in a sandbox command line, before the subcommand only', () => {
    assert.equal(runscRootFromArgv(['runsc-sandbox', '--root=/run/r', '--log=x', 'boot', ID]), '/run/r');
    assert.equal(runscRootFromArgv(['runsc', '--debug', '--root', '/run/r', 'boot']), '/run/r');
    assert.equal(runscRootFromArgv(['runsc', 'boot', '--root=/evil']), undefined);
    assert.equal(runscRootFromArgv(['runsc-sandbox']), undefined);
  });

  it('asks for the points watch reads, on its own socket', () => {
    const config = traceSessionConfig('/tmp/x.sock') as {
      trace_session: { name: string; points: { name: string }[]; sinks: unknown[] };
    };
    assert.equal(config.trace_session.name, 'Default');
    assert.deepEqual(
      config.trace_session.points.map((p) => p.name),
      ['container/start', 'sentry/execve', 'sentry/clone', 'sentry/exit_notify_parent'],
    );
    assert.deepEqual(config.trace_session.sinks, [{ name: 'remote', config: { endpoint: '/tmp/x.sock' } }]);
  });

  it('validates every message from a hostile sentry and keeps the valid points', async (t) => {
    const ops = seqpacket();
    if (ops === undefined) {
      t.skip('the watch addon is not built with SOCK_SEQPACKET support');
      return;
    }
    const points: { id: string; point: TracePoint }[] = [];
    const logs: string[] = [];
    const tracer = new GvisorTracer({
      ops,
      log: (line) => logs.push(line),
      onPoint: (id, point) => points.push({ id, point }),
    });
    const opened = tracer.listen({ id: ID, name: 'g', runtimePath: 'runsc', pid: 1 }, '/run/none');
    if (!opened.ok) assert.fail(opened.reason);
    assert.equal(statSync(opened.session.socket).mode & 0o777, 0o600);
    try {
      // a connection whose handshake is garbage is closed without a reply
      const bad = ops.connect(opened.session.socket);
      writeSync(bad, Buffer.from([0xff]));
      tracer.poll();
      assert.equal(readSync(bad, Buffer.alloc(16)), 0, 'closed');
      closeSync(bad);

      const fd = ops.connect(opened.session.socket);
      writeSync(fd, encodeHandshake());
      tracer.poll();
      const reply = Buffer.alloc(64);
      const n = readSync(fd, reply);
      assert.deepEqual(reply.subarray(0, n), encodeHandshake());
      const sends = [
        execMessage({ tgid: 3, containerId: ID }, '/bin/busybox', ['/bin/ls', '/']),
        Buffer.from([1, 2, 3]),
        Buffer.concat([header(3), Buffer.from([0x08, 0xff])]),
        Buffer.concat([header(77)]),
        Buffer.concat([header(3), Buffer.alloc(100_000, 0x41)]),
        execMessage({ tgid: 4, containerId: OTHER }, '/bin/busybox', ['/bin/id'], 2),
      ];
      for (const m of sends) writeSync(fd, m);
      // the reads are non-blocking: poll until everything sent has been read
      for (
        let i = 0;
        i < 50 && tracer.counters().messages + tracer.counters().oversize < sends.length;
        i += 1
      ) {
        tracer.poll();
        await new Promise((r) => setTimeout(r, 10));
      }
      const c = tracer.counters();
      assert.deepEqual(
        {
          messages: c.messages,
          decodeErrors: c.decodeErrors,
          oversize: c.oversize,
          handshakeErrors: c.handshakeErrors,
          containerMismatch: c.containerMismatch,
          sentryDropped: c.sentryDropped,
        },
        {
          messages: 5,
          decodeErrors: 3,
          oversize: 1,
          handshakeErrors: 1,
          containerMismatch: 1,
          sentryDropped: 2,
        },
      );
      assert.deepEqual(
        points.map((p) => [p.id, p.point.type === 'exec' ? p.point.argv[0] : p.point.type]),
        [
          [ID, '/bin/ls'],
          [ID, '/bin/id'],
        ],
      );
      assert.ok(
        logs.some((l) => /claims container b{64}; attributed to g/.test(l)),
        logs.join('\n'),
      );
      assert.ok(
        logs.some((l) => l.includes('100008 bytes exceeds')),
        logs.join('\n'),
      );
      closeSync(fd);
      tracer.poll();
      assert.equal(tracer.counters().connections, 0, 'the closed connection is dropped');
    } finally {
      await tracer.stop();
    }
    assert.throws(() => statSync(opened.session.socket), /ENOENT/);
  });
});
