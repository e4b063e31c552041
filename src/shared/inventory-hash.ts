// The canonical inventory hash (docs/server.md "Inventories"): one function for the agent, which sends a reference
// {digest, inventoryHash} in place of an inventory the server already has, and for the server, which stores the
// hash of every inventory it keeps and accepts a reference only to one of them.
import { createHash } from 'node:crypto';
import type { ImageInventory } from './fleet-report.js';

/** An image's packages without repeated (name, version), sorted: the rows the server keeps for it. */
export function uniquePackages(image: Pick<ImageInventory, 'packages'>): ImageInventory['packages'] {
  const byKey = new Map<string, ImageInventory['packages'][number]>();
  for (const p of image.packages) {
    const key = `${p.name}\u0000${p.version}`;
    if (!byKey.has(key)) byKey.set(key, p);
  }
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, p]) => p);
}

/** The content hash of an inventory (OS and unique sorted packages): equal for every honest report of a digest. */
export function inventoryHash(image: Pick<ImageInventory, 'os' | 'packages'>): string {
  const os = [image.os.family, image.os.id, image.os.versionId ?? '', image.os.codename ?? ''];
  const packages = uniquePackages(image).map((p) => [
    p.name,
    p.version,
    p.sourceName,
    p.sourceVersion,
    p.format,
  ]);
  return createHash('sha256')
    .update(JSON.stringify([os, packages]))
    .digest('hex');
}
