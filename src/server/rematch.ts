// Rematch after a vulnerability-data update: every stored inventory is matched again (no agent rescans), findings
// that appear are recorded as "new" (or reopened), findings that disappear are marked fixed, each with an event.
// Runs under the store's "rematch" lock, so only one replica over a PostgreSQL database does the work at a time.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { inventoryPackageSchema, osSchema, type ImageInventory } from '../shared/fleet-report.js';
import { openVulnDb, type VulnDb } from '../vulndb/db.js';
import { bumpFindingsGeneration } from './findings-cache.js';
import { inventoryHash } from '../shared/inventory-hash.js';
import { matchInventory, openFindingRow } from './match.js';
import { withStore, type Store, type StoreLocation } from './store.js';

export interface RematchResult {
  readonly images: number;
  readonly new: number;
  readonly fixed: number;
  readonly unchanged: number;
  readonly ms: number;
}

const formatSchema = z.enum(['dpkg', 'apk', 'rpm']);
const variantPackages = z.array(inventoryPackageSchema).max(20_000);

async function rematchAll(store: Store, vulndb: VulnDb, now: Date): Promise<RematchResult> {
  const started = Date.now();
  const db = store.db;
  const at = now.toISOString();
  const counts = { images: 0, new: 0, fixed: 0, unchanged: 0 };
  const images = await db
    .selectFrom('images')
    .select(['digest', 'ref', 'os', 'inventory_hash'])
    .orderBy('digest')
    .execute();
  for (const image of images) {
    const os = osSchema.safeParse(JSON.parse(image.os));
    if (!os.success) continue;
    const packages = await db
      .selectFrom('image_packages')
      .select(['name', 'version', 'source_name', 'source_version', 'format'])
      .where('digest', '=', image.digest)
      .execute();
    const inventory: ImageInventory = {
      digest: image.digest,
      ref: image.ref,
      os: os.data,
      packages: packages.flatMap((p) => {
        const format = formatSchema.safeParse(p.format);
        return format.success
          ? [
              {
                name: p.name,
                version: p.version,
                sourceName: p.source_name,
                sourceVersion: p.source_version,
                format: format.data,
              },
            ]
          : [];
      }),
    };
    const matched = new Map(
      matchInventory(inventory, vulndb).map((m) => [`${m.vulnerability}\u0000${m.package}`, m]),
    );
    // differing inventories other hosts reported for this digest add their findings (docs/server.md "Inventories")
    const variants = await db
      .selectFrom('image_inventories')
      .select('packages')
      .where('digest', '=', image.digest)
      .execute();
    for (const variant of variants) {
      const packages = variantPackages.safeParse(JSON.parse(variant.packages));
      if (!packages.success) continue;
      for (const m of matchInventory({ ...inventory, packages: packages.data }, vulndb)) {
        const key = `${m.vulnerability}\u0000${m.package}`;
        if (!matched.has(key)) matched.set(key, m);
      }
    }
    // rows stored before inventory hashes existed get theirs now
    if (image.inventory_hash === '')
      await db
        .updateTable('images')
        .set({ inventory_hash: inventoryHash(inventory) })
        .where('digest', '=', image.digest)
        .execute();
    const stored = await db.selectFrom('findings').selectAll().where('digest', '=', image.digest).execute();
    await db.transaction().execute(async (tx) => {
      const unchanged: string[] = [];
      for (const row of stored) {
        const key = `${row.vulnerability}\u0000${row.package}`;
        const now = matched.get(key);
        matched.delete(key);
        if (now === undefined) {
          if (row.state === 'open') {
            await tx
              .updateTable('findings')
              .set({ state: 'fixed', last_seen: at })
              .where('id', '=', row.id)
              .execute();
            await tx
              .insertInto('finding_events')
              .values({
                id: randomUUID(),
                finding_id: row.id,
                digest: row.digest,
                vulnerability: row.vulnerability,
                kind: 'fixed',
                at,
              })
              .execute();
            counts.fixed += 1;
          }
          continue;
        }
        const same =
          row.state === 'open' &&
          row.fixed_version === now.fixedVersion &&
          row.status === now.status &&
          row.severity === now.severity &&
          row.title === now.title;
        if (same) {
          // still matched as it was: only last_seen moves, for all of them at once below
          unchanged.push(row.id);
          counts.unchanged += 1;
          continue;
        }
        if (row.state === 'fixed') {
          await tx
            .insertInto('finding_events')
            .values({
              id: randomUUID(),
              finding_id: row.id,
              digest: row.digest,
              vulnerability: row.vulnerability,
              kind: 'new',
              at,
            })
            .execute();
          counts.new += 1;
        }
        await tx
          .updateTable('findings')
          .set({
            state: 'open',
            last_seen: at,
            fixed_version: now.fixedVersion,
            status: now.status,
            severity: now.severity,
            title: now.title,
          })
          .where('id', '=', row.id)
          .execute();
      }
      for (const m of matched.values()) {
        const row = openFindingRow(image.digest, m, at);
        await tx.insertInto('findings').values(row).execute();
        await tx
          .insertInto('finding_events')
          .values({
            id: randomUUID(),
            finding_id: row.id,
            digest: image.digest,
            vulnerability: m.vulnerability,
            kind: 'new',
            at,
          })
          .execute();
        counts.new += 1;
      }
      // one statement per 500 unchanged findings instead of one each (rematch of 100 images: most of its time)
      for (let i = 0; i < unchanged.length; i += 500)
        await tx
          .updateTable('findings')
          .set({ last_seen: at })
          .where('id', 'in', unchanged.slice(i, i + 500))
          .execute();
      await bumpFindingsGeneration(tx);
    });
    counts.images += 1;
  }
  return { ...counts, ms: Date.now() - started };
}

/** Rematches every stored inventory; undefined when another replica holds the lock (it is doing the same work). */
export function rematchStore(
  store: Store,
  vulndb: VulnDb,
  now = new Date(),
): Promise<RematchResult | undefined> {
  return store.withLock('rematch', false, () => rematchAll(store, vulndb, now));
}

/**
 * `bulkhead server rematch`: opens the vulnerability database at `vulnDbPath` (DB_MISSING or DB_CORRUPT naming it)
 * and the store, rematches every inventory, closes both.
 */
export async function rematchFromFiles(
  location: StoreLocation,
  vulnDbPath: string,
  now = new Date(),
): Promise<RematchResult | undefined> {
  const vulndb = openVulnDb(vulnDbPath, { missingHint: 'run `bulkhead db update` first, or pass --db PATH' });
  try {
    return await withStore(location, (store) => rematchStore(store, vulndb, now));
  } finally {
    vulndb.close();
  }
}
