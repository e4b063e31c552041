// Unit tests of the network stage's pure parts: namespace grouping and its reasons, NFLOG line parsing, the
// nftables JSON plan, cgroup container ids, edge pairing and the renderers.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { FlowGraph, Resolver, inSubnet } from '../../src/net/graph.js';
import { groupByNamespace } from '../../src/net/namespaces.js';
import { buildTable, listsTable, NFLOG_DENY_GROUP } from '../../src/net/nft.js';
import { parseNflogLine } from '../../src/net/nflog.js';
import { containerIdFromCgroup } from '../../src/net/procfs.js';
import { renderFlowsDot, renderFlowsSvg } from '../../src/net/render.js';
import { A, B, C } from '../../src/net/rules/fixtures.js';
import type { FlowObservation } from '../../src/net/types.js';

const ID = '34a0907c6cdfcc84158cf9086330f0bedc10d745f6e44b5fa51e818adff45a97';

describe('containerIdFromCgroup', () => {
  const cases: [string, string, string | undefined][] = [
    [
      'cgroup v1 hybrid (cgroupfs driver), captured here',
      `9:name=systemd:/docker/${ID}\n0::/docker/${ID}\n`,
      ID,
    ],
    ['cgroup v2 systemd driver', `0::/system.slice/docker-${ID}.scope\n`, ID],
    ['containerd (cri)', `0::/kubepods.slice/kubepods-burstable.slice/cri-containerd-${ID}.scope\n`, ID],
    ['kubepods cgroupfs', `0::/kubepods/burstable/pod1234/${ID}\n`, ID],
    ['host process', '0::/init.scope\n', undefined],
    ['garbage', 'nonsense', undefined],
  ];
  for (const [name, text, expect] of cases)
    it(name, () => {
      assert.equal(containerIdFromCgroup(text), expect);
    });
});

describe('groupByNamespace', () => {
  it('names every container it cannot observe, with the reason', () => {
    const gone = { ...A, pid: 2 ** 22 + 12345 };
    const stopped = { ...B, pid: 0 };
    const gvisor = { ...C, runtime: 'runsc' };
    const grouping = groupByNamespace([gone, stopped, gvisor]);
    assert.equal(grouping.units.length, 0);
    assert.deepEqual(
      grouping.unobservable.map((u) => [u.container.name, u.reason.split(':')[0]]),
      [
        ['net-a', 'namespace gone'],
        ['net-b', 'namespace gone'],
        ['net-c', 'not observable from the host (gVisor)'],
      ],
    );
  });
  it('containers sharing one namespace make one unit, the owner as primary', () => {
    const own = { ...A, pid: process.pid };
    const joined = { ...B, pid: process.pid, netnsOf: A.id, addresses: [] };
    const grouping = groupByNamespace([joined, own], '/proc', -1);
    assert.equal(grouping.units.length, 1);
    assert.equal(grouping.units[0]?.primary.name, 'net-a');
    assert.equal(grouping.units[0].containers.length, 2);
  });
});

describe('parseNflogLine', () => {
  it('tcpdump -e -q lines for IPv4 and IPv6, tcp and udp', () => {
    assert.deepEqual(
      parseNflogLine(
        '1796161883.922587 version 0, resource ID 4712, IPv4, length 172: 10.213.7.4.58756 > 10.213.7.2.8080: tcp 0',
      ),
      {
        time: 1796161883922.587,
        group: 4712,
        family: 4,
        proto: 'tcp',
        src: '10.213.7.4',
        sport: 58756,
        dst: '10.213.7.2',
        dport: 8080,
      },
    );
    const v6 = parseNflogLine(
      '1796161883.5 version 0, resource ID 4711, IPv6, length 92: ::1.40436 > ::1.41315: UDP, length 4',
    );
    assert.equal(v6?.src, '::1');
    assert.equal(v6.proto, 'udp');
    assert.equal(v6.dport, 41315);
    assert.equal(parseNflogLine('listening on nflog:4711,4712, link-type NFLOG'), undefined);
    assert.equal(
      parseNflogLine('1.0 version 0, resource ID 1, IPv4, length 84: 10.0.0.1 > 10.0.0.2: ICMP echo request'),
      undefined,
    );
  });
});

describe('buildTable', () => {
  it('deny mode: established first, learned peers accepted and logged, the rest logged to the deny group and rejected', () => {
    const table = buildTable({
      mode: 'deny',
      allow: [
        { direction: 'in', proto: 'tcp', port: 8080, peer: { kind: 'addresses', addrs: ['10.213.7.3'] } },
      ],
    });
    const text = JSON.stringify(table);
    assert.match(text, /"flush":\{"table":\{"family":"inet","name":"bulkhead"\}\}/);
    assert.match(text, /"saddr"\}\},"right":"10.213.7.3"\}.*"dport"\}\},"right":8080/);
    assert.equal((text.match(new RegExp(`"group":${NFLOG_DENY_GROUP}`, 'g')) ?? []).length, 4);
    assert.match(text, /"reject":\{"type":"tcp reset"\}/);
  });
  it('observe mode never rejects', () => {
    assert.doesNotMatch(JSON.stringify(buildTable({ mode: 'observe' })), /reject/);
  });
  it('listsTable finds bulkhead in nft -j list tables output', () => {
    const out =
      '{"nftables": [{"metainfo": {"version": "1.0.6"}}, {"table": {"family": "ip", "name": "nat", "handle": 1}}, {"table": {"family": "inet", "name": "bulkhead", "handle": 2}}]}';
    assert.equal(listsTable(out), true);
    assert.equal(listsTable(out.replace('bulkhead', 'other')), false);
    assert.equal(listsTable('not json'), false);
  });
});

describe('FlowGraph', () => {
  const unitA = { inode: 1, pid: 10, containers: [A], primary: A };
  const unitB = { inode: 2, pid: 11, containers: [B], primary: B };
  const resolver = new Resolver({
    units: [unitA, unitB],
    networks: [{ name: 'bhnet', subnets: ['10.213.7.0/24'], internal: true, icc: true, driver: 'bridge' }],
    polls: new Map(),
  });
  const obs = (over: Partial<FlowObservation>): FlowObservation => ({
    netns: 1,
    proto: 'tcp',
    clientAddr: '10.213.7.3',
    clientPort: 40000,
    serverAddr: '10.213.7.2',
    serverPort: 8080,
    client: undefined,
    server: undefined,
    source: 'proc',
    time: 1,
    ...over,
  });
  it('one connection seen from both ends is one edge with one connection', () => {
    const graph = new FlowGraph();
    graph.add([obs({ netns: 1 }), obs({ netns: 2, source: 'nflog' })], resolver);
    graph.add([obs({ netns: 2, time: 2 })], resolver);
    const edges = graph.list();
    assert.deepEqual(
      edges.map((e) => [e.key, e.count, e.network]),
      [['c:net-b>c:net-a:8080/tcp', 1, 'bhnet']],
    );
  });
  it('a peer outside every container is an address with the network its subnet belongs to', () => {
    const graph = new FlowGraph();
    graph.add([obs({ clientAddr: '10.213.7.99' })], resolver);
    assert.deepEqual(graph.list()[0]?.client, { kind: 'address', addr: '10.213.7.99', network: 'bhnet' });
  });
  it('inSubnet', () => {
    assert.equal(inSubnet('10.213.7.9', '10.213.7.0/24'), true);
    assert.equal(inSubnet('10.213.8.9', '10.213.7.0/24'), false);
    assert.equal(inSubnet('fd00:1::5', 'fd00:1::/32'), true);
  });
  it('renders dot and an SVG with escaped labels and marked denied edges', () => {
    const graph = new FlowGraph();
    graph.add([obs({})], resolver);
    graph.add([obs({ clientAddr: '10.213.7.4', clientPort: 1 })], resolver, true);
    const svg = renderFlowsSvg(graph.list());
    assert.match(svg, /<g class="edge denied" data-from="10.213.7.4" data-to="net-a" data-port="8080"/);
    assert.match(svg, /<g class="edge" data-from="net-b" data-to="net-a"/);
    assert.match(renderFlowsDot(graph.list()), /"net-b" -> "net-a" \[label="8080\/tcp"\]/);
  });
});
