// The runsc trace wire decoder (src/watch/gvisor-wire.ts): a message recorded from runsc 20221219's remote sink,
// messages encoded as remote.go writes them, and a table of hostile ones, each an error value and never a throw.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  MAX_TRACE_MESSAGE,
  decodeHandshake,
  decodeTraceMessage,
  encodeHandshake,
} from '../../src/watch/gvisor-wire.js';
import {
  cloneMessage,
  context,
  execMessage,
  fieldBytes,
  fieldVarint,
  header,
  varint,
} from '../harness/gvisor-sentry.js';

const ID = 'edfe61addaefa98a7f45fd60a7c2bcda46fb42905317631f986a47f0eeb6efd9';

describe('runsc trace wire decoding', () => {
  it('decodes the sentry/execve point runsc 20221219 sent for `sh -c "/bin/ls /"`', () => {
    const recorded = readFileSync(join(import.meta.dirname, '..', 'fixtures', 'gvisor', 'execve-ls.bin'));
    const d = decodeTraceMessage(recorded);
    assert.ok(d.ok, d.ok ? '' : d.error);
    assert.equal(d.dropped, 0);
    if (d.point.type !== 'exec') assert.fail(d.point.type);
    assert.equal(d.point.binaryPath, '/bin/busybox');
    assert.deepEqual(d.point.argv, ['/bin/ls', '/']);
    assert.equal(d.point.context.containerId, ID);
    assert.equal(d.point.context.threadGroupId, 7);
    assert.equal(d.point.context.processName, 'sh');
    assert.equal(d.point.context.effectiveUid, 0);
  });

  it('decodes exec and clone points as remote.go encodes them, with the dropped count', () => {
    const d = decodeTraceMessage(
      execMessage({ tgid: 42, containerId: ID, uid: 1000 }, '/bin/busybox', ['ls'], 7),
    );
    assert.ok(d.ok);
    assert.equal(d.dropped, 7);
    assert.deepEqual(
      d.point.type === 'exec'
        ? [d.point.argv, d.point.context.effectiveUid, d.point.context.threadGroupId]
        : [],
      [['ls'], 1000, 42],
    );
    const c = decodeTraceMessage(cloneMessage({ tgid: 42, containerId: ID }, 43));
    assert.ok(c.ok);
    assert.deepEqual(
      c.point.type === 'clone' ? [c.point.createdThreadGroupId, c.point.context.threadGroupId] : [],
      [43, 42],
    );
  });

  it('keeps a larger header and skips unknown fields (the compatibility rules of remote/README.md)', () => {
    const body = Buffer.concat([
      fieldBytes(1, context({ tgid: 5 })),
      fieldVarint(99, 1),
      fieldBytes(2, '/bin/x'),
    ]);
    const d = decodeTraceMessage(Buffer.concat([header(3, 0, 16), body]));
    assert.ok(d.ok);
    assert.equal(d.point.type === 'exec' ? d.point.binaryPath : '', '/bin/x');
    const syscall = decodeTraceMessage(Buffer.concat([header(11), fieldBytes(1, context({}))]));
    assert.deepEqual(syscall.ok ? syscall.point : undefined, { type: 'other', messageType: 11 });
  });

  it('bounds argv and strings', () => {
    const argv = Array.from({ length: 300 }, (_, i) => `a${i}`);
    const d = decodeTraceMessage(execMessage({ tgid: 1 }, '/bin/x', argv));
    if (!d.ok || d.point.type !== 'exec') assert.fail('not an exec');
    assert.equal(d.point.argv.length, 256);
    assert.equal(d.point.truncated, true);
    const long = decodeTraceMessage(execMessage({ tgid: 1 }, `/${'x'.repeat(10_000)}`, ['a\0b']));
    if (!long.ok || long.point.type !== 'exec') assert.fail('not an exec');
    assert.equal(long.point.binaryPath.length, 4096);
    assert.deepEqual(long.point.argv, ['ab']);
  });

  const valid = execMessage({ tgid: 1, containerId: ID }, '/bin/ls', ['/bin/ls']);
  const hostile: readonly { name: string; message: Buffer; error: RegExp }[] = [
    { name: 'empty', message: Buffer.alloc(0), error: /no header/ },
    { name: 'shorter than the header', message: Buffer.from([8, 0, 3]), error: /no header/ },
    {
      name: 'header size below 8',
      message: Buffer.concat([header(3, 0, 4), Buffer.alloc(8)]),
      error: /header size 4/,
    },
    {
      name: 'header size past the end',
      message: (() => {
        const m = Buffer.from(valid);
        m.writeUInt16LE(60_000, 0);
        return m;
      })(),
      error: /header size 60000/,
    },
    {
      name: 'message type 0',
      message: Buffer.concat([header(0), Buffer.alloc(4)]),
      error: /unknown message type 0/,
    },
    {
      name: 'message type beyond the protocol',
      message: Buffer.concat([header(999)]),
      error: /unknown message type 999/,
    },
    {
      name: 'longer than the cap',
      message: Buffer.concat([header(3), Buffer.alloc(MAX_TRACE_MESSAGE)]),
      error: /exceeds/,
    },
    {
      name: 'truncated varint',
      message: Buffer.concat([header(3), Buffer.from([0x08, 0xff])]),
      error: /varint runs past/,
    },
    {
      name: 'varint of 11 bytes',
      message: Buffer.concat([header(3), Buffer.from([0x08]), Buffer.alloc(11, 0xff)]),
      error: /longer than 10/,
    },
    {
      name: 'length past the end',
      message: Buffer.concat([header(3), varint((2 << 3) | 2), varint(1_000_000), Buffer.from('ab')]),
      error: /runs past the end/,
    },
    {
      name: 'field number 0',
      message: Buffer.concat([header(3), Buffer.from([0x00, 0x01])]),
      error: /invalid field number 0/,
    },
    {
      name: 'group wire type',
      message: Buffer.concat([header(3), Buffer.from([(2 << 3) | 3])]),
      error: /wire type 3/,
    },
    {
      name: 'argv as a varint',
      message: Buffer.concat([header(3), fieldVarint(3, 5)]),
      error: /should be length-delimited/,
    },
    {
      name: 'nested context garbage',
      message: Buffer.concat([header(3), fieldBytes(1, Buffer.from([0xff, 0xff]))]),
      error: /varint runs past/,
    },
    {
      name: 'fixed64 past the end',
      message: Buffer.concat([header(2), Buffer.from([(9 << 3) | 1, 1, 2])]),
      error: /runs past the end/,
    },
  ];
  for (const c of hostile)
    it(`rejects a hostile message: ${c.name}`, () => {
      const d = decodeTraceMessage(c.message);
      if (d.ok) assert.fail('decoded');
      assert.match(d.error, c.error);
    });

  it('answers the handshake and rejects bad ones', () => {
    assert.deepEqual(decodeHandshake(encodeHandshake()), { ok: true, version: 1 });
    assert.deepEqual(decodeHandshake(fieldVarint(1, 3)), { ok: true, version: 3 });
    assert.equal(decodeHandshake(Buffer.alloc(0)).ok, false);
    assert.equal(decodeHandshake(Buffer.from([0x08])).ok, false);
    assert.equal(decodeHandshake(Buffer.alloc(2000, 0x08)).ok, false);
  });
});
