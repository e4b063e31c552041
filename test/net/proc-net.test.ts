// Unit tests for the /proc/net socket table parser, on tables captured from real network namespaces here.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { decodeEndpoint, parseProcNet, type TableName } from '../../src/net/proc-net.js';

function fixture(name: string): string {
  return readFileSync(new URL(`../fixtures/net/${name}`, import.meta.url), 'utf8');
}

describe('decodeEndpoint', () => {
  const cases: { input: string; expect: { addr: string; port: number } | undefined }[] = [
    { input: '0100007F:1F90', expect: { addr: '127.0.0.1', port: 8080 } },
    { input: '0207D50A:1F90', expect: { addr: '10.213.7.2', port: 8080 } },
    { input: '00000000:0000', expect: { addr: '0.0.0.0', port: 0 } },
    { input: '00000000000000000000000001000000:A163', expect: { addr: '::1', port: 41315 } },
    { input: '00000000000000000000000000000000:1F90', expect: { addr: '::', port: 8080 } },
    { input: '0000000000000000FFFF00000207D50A:1F90', expect: { addr: '10.213.7.2', port: 8080 } },
    // fd00:db8::5 as the kernel prints it: words 0x00fd?? — bytes fd 00 0d b8 -> word b80d00fd
    { input: 'B80D00FD000000000000000005000000:0035', expect: { addr: 'fd00:db8::5', port: 53 } },
    { input: 'zz:1F90', expect: undefined },
    { input: '0100007F', expect: undefined },
  ];
  for (const c of cases) {
    it(c.input, () => {
      assert.deepEqual(decodeEndpoint(c.input), c.expect);
    });
  }
});

describe('parseProcNet on captured tables', () => {
  it('container a: a v6 wildcard listener on 8080 and b connected over IPv4-mapped addresses', () => {
    const t6 = parseProcNet(fixture('a-tcp6.txt'), 'tcp6');
    assert.equal(t6.skipped, 0);
    assert.deepEqual(t6.rows, [
      {
        proto: 'tcp',
        family: 6,
        local: { addr: '10.213.7.2', port: 8080 },
        remote: { addr: '10.213.7.3', port: 35980 },
        state: 'ESTABLISHED',
        inode: 41569,
        uid: 0,
      },
    ]);
    const t4 = parseProcNet(fixture('a-tcp.txt'), 'tcp');
    assert.deepEqual(
      t4.rows.map((r) => [r.local.addr, r.local.port, r.state]),
      [['127.0.0.11', 35679, 'LISTEN']],
    );
  });
  it('container b: the client end of the same connection', () => {
    const rows = parseProcNet(fixture('b-tcp.txt'), 'tcp').rows;
    const est = rows.find((r) => r.state === 'ESTABLISHED');
    assert.deepEqual(est?.local, { addr: '10.213.7.3', port: 35980 });
    assert.deepEqual(est.remote, { addr: '10.213.7.2', port: 8080 });
    assert.equal(est.inode, 43119);
  });
  it('udp: the embedded DNS socket is unconnected; the ref/pointer/drops columns do not shift fields', () => {
    const rows = parseProcNet(fixture('a-udp.txt'), 'udp').rows;
    assert.deepEqual(rows, [
      {
        proto: 'udp',
        family: 4,
        local: { addr: '127.0.0.11', port: 47105 },
        remote: { addr: '0.0.0.0', port: 0 },
        state: 'UNCONN',
        inode: 41332,
        uid: 0,
      },
    ]);
  });
  it('host IPv6 loopback: listener, both connection ends, udp6', () => {
    const rows = parseProcNet(fixture('host-tcp6.txt'), 'tcp6').rows;
    assert.deepEqual(
      rows.map((r) => `${r.local.addr}:${r.local.port}>${r.remote.addr}:${r.remote.port} ${r.state}`),
      ['::1:41315>:::0 LISTEN', '::1:40436>::1:41315 ESTABLISHED', '::1:41315>::1:40436 ESTABLISHED'],
    );
    const udp6 = parseProcNet(fixture('host-udp6.txt'), 'udp6').rows;
    assert.deepEqual(udp6[0]?.local, { addr: '::1', port: 48502 });
  });
  it('every captured table parses with nothing skipped; TIME_WAIT rows have inode 0', () => {
    const names: [string, TableName][] = [
      ['a-tcp.txt', 'tcp'],
      ['a-udp6.txt', 'udp6'],
      ['b-tcp6.txt', 'tcp6'],
      ['b-udp.txt', 'udp'],
      ['host-tcp.txt', 'tcp'],
      ['host-udp.txt', 'udp'],
    ];
    for (const [name, table] of names) assert.equal(parseProcNet(fixture(name), table).skipped, 0, name);
    const tw = parseProcNet(fixture('host-tcp.txt'), 'tcp').rows.find((r) => r.state === 'TIME_WAIT');
    assert.equal(tw?.inode, 0);
  });
  it('garbage lines are counted, not fatal', () => {
    const parsed = parseProcNet('header\n   0: nonsense\n\n', 'tcp');
    assert.deepEqual(parsed, { rows: [], skipped: 1 });
  });
});
