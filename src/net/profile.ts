// The `network` section of a watch profile (issue 12 item 2): ports each workload listens on and the edges it makes
// and accepts, peers by workload (container or compose service) and image or by address range, with counts and
// first/last seen. The zod schema is what watch's per-image-digest profile includes under `network`.
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { z } from 'zod';
import { InputError } from '../shared/errors.js';
import { parseYaml } from '../shared/yaml.js';
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

/** bulkhead's network profile file until watch's profile file carries the section itself. */
export const networkProfileSchema = z
  .object({ image: z.string().min(1), imageName: z.string().optional(), network: networkSectionSchema })
  .strict();
export type NetworkProfile = z.infer<typeof networkProfileSchema>;

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

/** File name of an image's network profile: the digest hex, so the name is safe and stable. */
export function profileFileName(imageId: string): string {
  return `${imageId.replace(/^sha256:/, '').replace(/[^0-9a-zA-Z]/g, '_')}.yaml`;
}

export const NETWORK_PROFILE_DIR = 'network';

/** Reads and validates one profile file; errors name file:line:column. */
export function parseNetworkProfile(text: string, source: string): NetworkProfile {
  const yaml = parseYaml(text, source, { hint: 'fix the profile, or delete it to learn again' });
  const result = networkProfileSchema.safeParse(yaml.doc.toJS());
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue?.path ?? [];
    throw new InputError(
      source,
      `invalid network profile: ${path.join('.')}: ${issue?.message ?? 'invalid'}`,
      {
        position: yaml.positionOf(path),
        hint: 'fix the profile (see docs/net.md "Profiles"), or delete it to learn again',
      },
    );
  }
  return result.data;
}

export interface LoadedProfiles {
  readonly profiles: Map<string, NetworkProfile>;
  /** Files that did not load; the caller keeps the last good version of each. */
  readonly errors: { file: string; message: string }[];
}

export function loadNetworkProfiles(dir: string): LoadedProfiles {
  const profiles = new Map<string, NetworkProfile>();
  const errors: { file: string; message: string }[] = [];
  const sub = join(dir, NETWORK_PROFILE_DIR);
  let files: string[] = [];
  try {
    files = readdirSync(sub).filter((f) => f.endsWith('.yaml'));
  } catch {
    return { profiles, errors };
  }
  for (const file of files) {
    const path = join(sub, file);
    try {
      const profile = parseNetworkProfile(readFileSync(path, 'utf8'), path);
      profiles.set(profile.image, profile);
    } catch (error) {
      errors.push({ file: path, message: error instanceof Error ? error.message : String(error) });
    }
  }
  return { profiles, errors };
}

/** Writes atomically (temp file + rename) so a crash never leaves half a profile. */
export function saveNetworkProfile(dir: string, profile: NetworkProfile): string {
  const sub = join(dir, NETWORK_PROFILE_DIR);
  mkdirSync(sub, { recursive: true });
  const path = join(sub, profileFileName(profile.image));
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(
    tmp,
    `# bulkhead network profile (docs/net.md); learned, edit to widen peers\n${stringify(profile)}`,
  );
  renameSync(tmp, path);
  return path;
}
