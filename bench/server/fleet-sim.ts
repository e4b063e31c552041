// The simulated fleet of the server benchmark (issue 14 "Benchmarks"): deterministic images (real Debian source
// names from the shared bookworm feed at old versions, so findings exist) and each host's report, shared by the
// orchestrator (bench/server/server.ts) and the pusher processes (bench/server/pusher.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPORT_SCHEMA, type FleetReport, type ImageInventory } from '../../src/shared/fleet-report.js';

export const FEED = join(import.meta.dirname, '../../../shared/data/vulndb/debian/bookworm-derived.json');

export interface FleetShape {
  readonly hosts: number;
  readonly containers: number;
  readonly packages: number;
  readonly images: number;
}

export const hex = (n: number, width = 64): string => n.toString(16).padStart(width, '0');

export function makeImages(shape: FleetShape): ImageInventory[] {
  const sources = Object.keys(JSON.parse(readFileSync(FEED, 'utf8')) as Record<string, unknown>);
  return Array.from({ length: shape.images }, (_, i) => ({
    digest: `sha256:${hex(i + 1)}`,
    ref: `registry.example/app-${i}:1.${i}`,
    os: {
      family: 'debian' as const,
      id: 'debian',
      versionId: '12',
      codename: 'bookworm',
      evidence: 'etc/os-release',
    },
    packages: Array.from({ length: shape.packages }, (_, p) => {
      const source = sources[(i * 7 + p) % sources.length] ?? 'zlib';
      return {
        name: `${source}-bin${p}`,
        version: '0.1-1',
        sourceName: source,
        sourceVersion: '0.1-1',
        format: 'dpkg' as const,
      };
    }),
  }));
}

/** Host `index` runs `containers` containers over a rotating window of the image set, with their inventories. */
export function makeReport(shape: FleetShape, images: readonly ImageInventory[], index: number): FleetReport {
  const used = new Map<string, ImageInventory>();
  const containers = Array.from({ length: shape.containers }, (_, c) => {
    const image = images[(index + c * 3) % images.length] ?? images[0];
    if (image === undefined) throw new Error('no images');
    used.set(image.digest, image);
    return {
      id: hex(index * 1000 + c, 64),
      name: `c${c}`,
      image: image.ref,
      digest: image.digest,
      running: true,
    };
  });
  return {
    schema: REPORT_SCHEMA,
    agentVersion: 'bench',
    createdAt: new Date().toISOString(),
    host: { name: `host-${index}`, labels: {} },
    audit: {
      findings: [
        {
          ruleId: 'BH-C-ROOT',
          severity: 'medium',
          title: 'root user',
          message: 'runs as root',
          group: 'container c0',
          target: 'container c0',
          outcome: 'fail',
        },
      ],
    },
    containers,
    images: [...used.values()],
    authz: [],
    events: [],
  };
}
