// Shared inputs for the network rules' case tables: containers a, b, c on an internal network and one on docker0.
import type { DockerNetwork } from '../graph.js';
import type { NetworkSection } from '../profile.js';
import type { Edge, Endpoint, NetContainer } from '../types.js';
import type { DaemonSocket } from '../unix.js';

export function container(name: string, addr: string, network = 'bhnet'): NetContainer {
  return {
    id: name.padEnd(64, '0'),
    name,
    image: 'busybox',
    imageId: 'sha256:1111',
    workload: name,
    pid: 100,
    runtime: 'runc',
    addresses: [{ network, addr }],
    netnsOf: undefined,
    networkMode: network,
    mounts: [],
  };
}

export const A = container('net-a', '10.213.7.2');
export const B = container('net-b', '10.213.7.3');
export const C = container('net-c', '10.213.7.4');
export const D = container('web', '172.17.0.2', 'bridge');
export const E = container('db', '172.17.0.3', 'bridge');

export const NETWORKS: readonly DockerNetwork[] = [
  { name: 'bhnet', subnets: ['10.213.7.0/24'], internal: true, icc: true, driver: 'bridge' },
  { name: 'bridge', subnets: ['172.17.0.0/16'], internal: false, icc: true, driver: 'bridge' },
];
export const NETWORKS_ICC_OFF: readonly DockerNetwork[] = NETWORKS.map((n) =>
  n.name === 'bridge' ? { ...n, icc: false } : n,
);

export const ep = (c: NetContainer): Endpoint => ({
  kind: 'container',
  id: c.id,
  name: c.name,
  workload: c.workload,
});
export const addr = (a: string, network?: string): Endpoint => ({ kind: 'address', addr: a, network });

export function edge(client: Endpoint, server: Endpoint, port: number, network = 'bhnet'): Edge {
  return {
    key: 'k',
    client,
    server,
    port,
    proto: 'tcp',
    network,
    count: 1,
    denied: 0,
    firstSeen: 0,
    lastSeen: 0,
  };
}

const t = '2026-12-01T00:00:00.000Z';
/** What learning records for b -> a:8080 in the images of a and b. */
export const LEARNED: NetworkSection = {
  listening: [{ workload: 'net-a', proto: 'tcp', port: 8080, firstSeen: t, lastSeen: t }],
  outbound: [
    {
      workload: 'net-b',
      peer: { kind: 'workload', workload: 'net-a' },
      proto: 'tcp',
      port: 8080,
      count: 3,
      firstSeen: t,
      lastSeen: t,
    },
  ],
  inbound: [
    {
      workload: 'net-a',
      peer: { kind: 'workload', workload: 'net-b' },
      proto: 'tcp',
      port: 8080,
      count: 3,
      firstSeen: t,
      lastSeen: t,
    },
    {
      workload: 'net-a',
      peer: { kind: 'cidr', cidr: '192.168.50.0/24' },
      proto: 'tcp',
      port: 8080,
      count: 1,
      firstSeen: t,
      lastSeen: t,
    },
  ],
};

/** dockerd's and containerd's API sockets as unix.ts learns them (device and inode of the socket file). */
export const DOCKER_SOCKET: DaemonSocket = {
  path: '/run/docker.sock',
  daemon: 'dockerd',
  dev: 64768,
  ino: 1234,
};
export const CONTAINERD_SOCKET: DaemonSocket = {
  path: '/run/containerd/containerd.sock',
  daemon: 'containerd',
  dev: 25,
  ino: 77,
};
