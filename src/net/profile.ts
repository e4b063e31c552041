// The `network` section of a watch profile (issue 12 item 2): ports each workload listens on and the edges it makes
// and accepts, peers by workload (container or compose service) and image or by address range, with counts and
// first/last seen. The zod schema is what watch's per-image-digest profile (src/watch/profile.ts) validates its
// `network` key with; merge (two learners, a migration) and diff (`watch profile diff`) work on sections.
import { z } from 'zod';
import type { Edge, Endpoint, ListeningPort, NetContainer } from './types.js';

const isoTime = z.iso.datetime();

export const peerSchema = z.discriminatedUnion('kind', [
  z
    .object({ kind: z.literal('workload'), workload: z.string().min(1), image: z.string().optional() })
    .strict(),
  z
    .object({
      kind: z.literal('cidr'),
      cidr: z.string().regex(/^[0-9a-fA-F.:]+\/\d{1,3}$/, 'an address range like 10.0.0.0/24 or fd00::/64'),
      network: z.string().optional(),
    })
    .strict(),
]);
export type Peer = z.infer<typeof peerSchema>;

const seen = { count: z.number().int().nonnegative(), firstSeen: isoTime, lastSeen: isoTime };

export const listenEntrySchema = z
  .object({
    workload: z.string().min(1),
    proto: z.enum(['tcp', 'udp']),
    port: z.number().int().min(1).max(65535),
    firstSeen: isoTime,
    lastSeen: isoTime,
  })
  .strict();

export const edgeEntrySchema = z
  .object({
    workload: z.string().min(1),
    peer: peerSchema,
    proto: z.enum(['tcp', 'udp']),
    port: z.number().int().min(1).max(65535),
    ...seen,
  })
  .strict();

export const networkSectionSchema = z
  .object({
    listening: z.array(listenEntrySchema).default([]),
    outbound: z.array(edgeEntrySchema).default([]),
    inbound: z.array(edgeEntrySchema).default([]),
  })
  .strict();
export type NetworkSection = z.infer<typeof networkSectionSchema>;
export type EdgeEntry = z.infer<typeof edgeEntrySchema>;

export function emptySection(): NetworkSection {
  return { listening: [], outbound: [], inbound: [] };
}

/** Peers learned from an address get a /32 (/128) range: widen it by hand in the profile when that is right. */
export function peerOf(endpoint: Endpoint, imageOf: (id: string) => string | undefined): Peer {
  if (endpoint.kind === 'container') {
    const image = imageOf(endpoint.id);
    return image === undefined
      ? { kind: 'workload', workload: endpoint.workload }
      : { kind: 'workload', workload: endpoint.workload, image };
  }
  const len = endpoint.addr.includes(':') ? 128 : 32;
  return endpoint.network === undefined
    ? { kind: 'cidr', cidr: `${endpoint.addr}/${len}` }
    : { kind: 'cidr', cidr: `${endpoint.addr}/${len}`, network: endpoint.network };
}

export const peerKey = (p: Peer): string => (p.kind === 'workload' ? `w:${p.workload}` : `n:${p.cidr}`);

const iso = (ms: number): string => new Date(ms).toISOString();

function mergeEdge(list: EdgeEntry[], entry: EdgeEntry): boolean {
  const found = list.find(
    (e) =>
      e.workload === entry.workload &&
      e.proto === entry.proto &&
      e.port === entry.port &&
      peerKey(e.peer) === peerKey(entry.peer),
  );
  if (found === undefined) {
    list.push(entry);
    return true;
  }
  found.count = Math.max(found.count, entry.count);
  if (entry.firstSeen < found.firstSeen) found.firstSeen = entry.firstSeen;
  if (entry.lastSeen > found.lastSeen) found.lastSeen = entry.lastSeen;
  return false;
}

/**
 * Learns into the section of one image: listeners of its containers, outbound edges its containers make, inbound
 * edges they accept. Counts are the graph's counts (distinct connections seen since watch started). Returns the
 * number of entries that are new.
 */
export function learnInto(
  section: NetworkSection,
  members: readonly NetContainer[],
  listening: readonly ListeningPort[],
  edges: readonly Edge[],
  imageOf: (id: string) => string | undefined,
): number {
  let added = 0;
  const byId = new Map(members.map((m) => [m.id, m]));
  for (const l of listening) {
    const member = byId.get(l.container);
    if (member === undefined) continue;
    const now = iso(Date.now());
    const found = section.listening.find(
      (e) => e.workload === member.workload && e.proto === l.proto && e.port === l.port,
    );
    if (found === undefined) {
      section.listening.push({
        workload: member.workload,
        proto: l.proto,
        port: l.port,
        firstSeen: now,
        lastSeen: now,
      });
      added += 1;
    } else found.lastSeen = now;
  }
  for (const edge of edges) {
    if (edge.count === 0) continue;
    const base = {
      proto: edge.proto,
      port: edge.port,
      count: edge.count,
      firstSeen: iso(edge.firstSeen),
      lastSeen: iso(edge.lastSeen),
    };
    if (edge.client.kind === 'container' && byId.has(edge.client.id))
      if (
        mergeEdge(section.outbound, {
          ...base,
          workload: edge.client.workload,
          peer: peerOf(edge.server, imageOf),
        })
      )
        added += 1;
    if (edge.server.kind === 'container' && byId.has(edge.server.id))
      if (
        mergeEdge(section.inbound, {
          ...base,
          workload: edge.server.workload,
          peer: peerOf(edge.client, imageOf),
        })
      )
        added += 1;
  }
  return added;
}

const listenKey = (e: z.infer<typeof listenEntrySchema>): string => `${e.workload}\0${e.proto}\0${e.port}`;
const edgeKey = (e: EdgeEntry): string => `${e.workload}\0${peerKey(e.peer)}\0${e.proto}\0${e.port}`;

function byKey<T>(key: (item: T) => string): (a: T, b: T) => number {
  return (a, b) => {
    const ka = key(a);
    const kb = key(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  };
}

/**
 * The union of two sections (pure): an entry in both keeps the larger count, the earlier firstSeen and the later
 * lastSeen, so merging the same learning twice changes nothing (two learners, a repeated migration). Entries are
 * sorted by workload, peer, protocol and port, so the file does not reorder between writes.
 */
export function mergeSections(a: NetworkSection | undefined, b: NetworkSection | undefined): NetworkSection {
  const listening = new Map<string, z.infer<typeof listenEntrySchema>>();
  for (const e of [...(a?.listening ?? []), ...(b?.listening ?? [])]) {
    const old = listening.get(listenKey(e));
    listening.set(
      listenKey(e),
      old === undefined
        ? { ...e }
        : {
            ...old,
            firstSeen: e.firstSeen < old.firstSeen ? e.firstSeen : old.firstSeen,
            lastSeen: e.lastSeen > old.lastSeen ? e.lastSeen : old.lastSeen,
          },
    );
  }
  const edges = (role: 'outbound' | 'inbound'): EdgeEntry[] => {
    const list: EdgeEntry[] = [];
    for (const e of [...(a?.[role] ?? []), ...(b?.[role] ?? [])])
      mergeEdge(list, { ...e, peer: { ...e.peer } });
    return list.sort(byKey(edgeKey));
  };
  return {
    listening: [...listening.values()].sort(byKey(listenKey)),
    outbound: edges('outbound'),
    inbound: edges('inbound'),
  };
}

export const peerLabel = (p: Peer): string => (p.kind === 'workload' ? p.workload : p.cidr);

/** One entry of a section as `watch profile` prints it: who, which direction, which peer and port. */
export function describeEntry(
  role: 'listening' | 'outbound' | 'inbound',
  entry: z.infer<typeof listenEntrySchema> | EdgeEntry,
): string {
  const port = `${entry.port}/${entry.proto}`;
  if (!('peer' in entry)) return `listening ${entry.workload} ${port}`;
  return role === 'outbound'
    ? `outbound ${entry.workload} -> ${peerLabel(entry.peer)}:${port}`
    : `inbound ${peerLabel(entry.peer)} -> ${entry.workload}:${port}`;
}

export interface NetworkChange {
  readonly change: 'added' | 'removed';
  /** "listening web 8080/tcp", "outbound api -> web:8080/tcp", "inbound api -> web:8080/tcp". */
  readonly entry: string;
}

/** What replacing `before` by `after` changes: listening ports and edges added or removed (counts and times are not). */
export function diffNetworkSections(
  before: NetworkSection | undefined,
  after: NetworkSection | undefined,
): NetworkChange[] {
  const keys = (s: NetworkSection | undefined): Map<string, string> => {
    const out = new Map<string, string>();
    for (const e of s?.listening ?? []) out.set(`l\0${listenKey(e)}`, describeEntry('listening', e));
    for (const role of ['outbound', 'inbound'] as const)
      for (const e of s?.[role] ?? []) out.set(`${role}\0${edgeKey(e)}`, describeEntry(role, e));
    return out;
  };
  const was = keys(before);
  const now = keys(after);
  const changes: NetworkChange[] = [];
  for (const [key, entry] of now) if (!was.has(key)) changes.push({ change: 'added', entry });
  for (const [key, entry] of was) if (!now.has(key)) changes.push({ change: 'removed', entry });
  return changes.sort((x, y) => (x.entry < y.entry ? -1 : x.entry > y.entry ? 1 : 0));
}

/** The section as `watch profile show` prints it: a summary line, then one line per entry. */
export function networkSectionLines(section: NetworkSection | undefined): string[] {
  if (section === undefined)
    return ['network: none (no network profile: nothing is enforced or alerted on for this image)'];
  const count = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;
  const lines = [
    `network: ${count(section.listening.length, 'listening port')}, ${count(section.outbound.length, 'outbound edge')}, ${count(section.inbound.length, 'inbound edge')}`,
  ];
  for (const e of section.listening)
    lines.push(`  ${describeEntry('listening', e)}  first ${e.firstSeen}  last ${e.lastSeen}`);
  for (const role of ['outbound', 'inbound'] as const)
    for (const e of section[role])
      lines.push(`  ${describeEntry(role, e)}  seen ${e.count}  first ${e.firstSeen}  last ${e.lastSeen}`);
  return lines;
}
