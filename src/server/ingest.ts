// Enrolment and report ingestion: an enrolment token (N uses, an expiry) registers an agent's Ed25519 key; a report
// is a DSSE envelope whose signature, size and zod schema are checked before anything is stored, then written in one
// transaction (a bad report is a 4xx and leaves no row). The payload hash is the idempotency key; an older report is a replay.
import { createHash, createPublicKey, randomUUID, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { envelopeSchema, keyIdOf, REPORT_PAYLOAD_TYPE, verifyEnvelope } from '../shared/dsse.js';
import {
  fleetReportSchema,
  INVENTORY_QUERY_PAYLOAD_TYPE,
  inventoryQuerySchema,
  labelsSchema,
  UNKNOWN_INVENTORY,
  type FleetReport,
  type ImageInventory,
} from '../shared/fleet-report.js';
import type { VulnDb } from '../vulndb/db.js';
import { hashToken, parseJsonLabels } from './access.js';
import { bumpFindingsGeneration } from './findings-cache.js';
import { ApiError } from './api-error.js';
import { cachedInventoryHash, matchInventoryOnce, openFindingRow, type MatchedFinding } from './match.js';
import { uniquePackages } from '../shared/inventory-hash.js';
import type { ServerDatabase, ServerDb } from './schema.js';
import type { Transaction } from 'kysely';

export const enrolSchema = z.object({
  token: z.string().min(1).max(200),
  publicKey: z.string().min(1).max(4096),
  name: z.string().min(1).max(253),
  labels: labelsSchema,
});

function issuesText(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}

function readPublicKey(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    throw new ApiError(400, 'bad-key', 'publicKey is not a PEM public key');
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new ApiError(400, 'bad-key', 'publicKey must be an Ed25519 key');
  return key;
}

function revokedError(at: string): ApiError {
  return new ApiError(
    401,
    'token-revoked',
    `this enrolment token was revoked at ${at}; create a new one with \`bulkhead server token create\``,
  );
}

/**
 * Registers the agent's key with an enrolment token of N uses; returns the host id (the key's DSSE keyid). A use is
 * a (token, key) row plus the token's counter raised by a guarded UPDATE (used < uses, not expired): on PostgreSQL
 * two enrolments racing for the last use serialise on the token row and the second re-checks the guard and fails;
 * SQLite runs one write transaction at a time. The same key enrolling again finds its row and burns no use.
 */
export async function enrolHost(
  db: ServerDb,
  raw: unknown,
): Promise<{ hostId: string; labels: Record<string, string> }> {
  const parsed = enrolSchema.safeParse(raw);
  if (!parsed.success) throw new ApiError(422, 'invalid', `enrolment request: ${issuesText(parsed.error)}`);
  const request = parsed.data;
  const key = readPublicKey(request.publicKey);
  const hostId = keyIdOf(key);
  const now = new Date().toISOString();
  return db.transaction().execute(async (tx) => {
    const token = await tx
      .selectFrom('enrolment_tokens')
      .selectAll()
      .where('token_hash', '=', hashToken(request.token))
      .executeTakeFirst();
    if (token === undefined) throw new ApiError(401, 'bad-token', 'unknown enrolment token');
    if (token.revoked_at !== null) throw revokedError(token.revoked_at);
    // first the (token, key) row: a concurrent enrolment of the same key waits on it and then finds it
    const mine = await tx
      .insertInto('enrolment_token_uses')
      .values({ token_id: token.id, host_id: hostId, at: now })
      .onConflict((oc) => oc.columns(['token_id', 'host_id']).doNothing())
      .returning('host_id')
      .execute();
    if (mine.length === 0) {
      // the same agent retrying after a lost answer: idempotent
      const host = await tx.selectFrom('hosts').select('labels').where('id', '=', hostId).executeTakeFirst();
      return { hostId, labels: parseJsonLabels(host?.labels ?? '{}') };
    }
    const claimed = await tx
      .updateTable('enrolment_tokens')
      .set((eb) => ({ used: eb('used', '+', 1) }))
      .where('id', '=', token.id)
      .where((eb) => eb('used', '<', eb.ref('uses')))
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (claimed.numUpdatedRows !== 1n) {
      // the rollback removes the use row written above
      const revoked = await tx
        .selectFrom('enrolment_tokens')
        .select('revoked_at')
        .where('id', '=', token.id)
        .executeTakeFirst();
      if (revoked !== undefined && revoked.revoked_at !== null) throw revokedError(revoked.revoked_at);
      if (token.expires_at !== null && token.expires_at <= now)
        throw new ApiError(
          401,
          'token-expired',
          `this enrolment token expired at ${token.expires_at}; create a new one with \`bulkhead server token create\``,
        );
      const uses = token.uses;
      throw new ApiError(
        401,
        'token-used',
        uses === 1
          ? 'this enrolment token was already used; create a new one with `bulkhead server token create`'
          : `this enrolment token was used by ${uses} agents, all it allows; create one with \`bulkhead server token create --uses N\``,
      );
    }
    // the token's labels are authoritative: an agent cannot label itself into another tenant's view
    const labels = { ...request.labels, ...parseJsonLabels(token.labels) };
    const existing = await tx.selectFrom('hosts').select('id').where('id', '=', hostId).executeTakeFirst();
    if (existing === undefined) {
      await tx
        .insertInto('hosts')
        .values({
          id: hostId,
          name: request.name,
          labels: JSON.stringify(labels),
          public_key: key.export({ type: 'spki', format: 'pem' }).toString(),
          enrolled_at: now,
          last_seen: null,
          last_report: null,
          last_created_at: null,
          audit_counts: '{}',
        })
        .execute();
    } else {
      await tx
        .updateTable('hosts')
        .set({ labels: JSON.stringify(labels), name: request.name })
        .where('id', '=', hostId)
        .execute();
    }
    return { hostId, labels };
  });
}

export interface IngestResult {
  readonly status: 'stored' | 'duplicate';
  readonly reportId: string;
  readonly hostId: string;
  readonly newImages: number;
}

function chunks<T>(rows: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

// Bound parameters per statement: under SQLite's 32,766 and PostgreSQL's 65,535.
const PARAMETERS_PER_STATEMENT = 30_000;

/**
 * Multi-row inserts of as many rows as the parameter budget allows: a report bringing 50 new images writes ~55,000
 * findings and as many events, and at 500 rows a statement that was ~170 round trips inside one transaction, each
 * waiting for the event loop the other reports in flight were parsing on; every report bringing the same images
 * waits on that transaction's image rows.
 */
function insertChunks<T extends object>(rows: readonly T[]): T[][] {
  const columns = rows[0] === undefined ? 1 : Math.max(1, Object.keys(rows[0]).length);
  return chunks(rows, Math.max(1, Math.floor(PARAMETERS_PER_STATEMENT / columns)));
}

function auditCounts(report: FleetReport): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const f of report.audit.findings)
    if (f.outcome === 'fail') counts[f.severity] = (counts[f.severity] ?? 0) + 1;
  return counts;
}

/**
 * Keeps inventories that differ from the one first stored for their digest (docs/server.md "Inventories"): each
 * (digest, inventory hash) once, with the host that sent it, and its findings added to the digest's (union), so a
 * report can flag or add findings for an image other hosts run but never hide one.
 */
async function storeVariants(
  tx: Transaction<ServerDatabase>,
  hostId: string,
  now: string,
  variants: readonly ImageInventory[],
  hashes: ReadonlyMap<string, string>,
  matches: ReadonlyMap<string, readonly MatchedFinding[]>,
): Promise<void> {
  const sorted = [...variants].sort((a, b) => (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0));
  for (const image of sorted) {
    const packages = uniquePackages(image);
    const inserted = await tx
      .insertInto('image_inventories')
      .values({
        digest: image.digest,
        inventory_hash: hashes.get(image.digest) ?? '',
        host_id: hostId,
        package_count: packages.length,
        packages: JSON.stringify(packages),
        first_seen: now,
      })
      .onConflict((oc) => oc.columns(['digest', 'inventory_hash']).doNothing())
      .returning('digest')
      .execute();
    if (inserted.length === 0) continue;
    const rows = (matches.get(image.digest) ?? []).map((m) => openFindingRow(image.digest, m, now));
    for (const chunk of insertChunks(rows)) {
      const added = await tx
        .insertInto('findings')
        .values(chunk)
        .onConflict((oc) => oc.columns(['digest', 'vulnerability', 'package']).doNothing())
        .returning(['id', 'vulnerability'])
        .execute();
      const events = added.map((f) => ({
        id: randomUUID(),
        finding_id: f.id,
        digest: image.digest,
        vulnerability: f.vulnerability,
        kind: 'new' as const,
        at: now,
      }));
      if (events.length > 0) await tx.insertInto('finding_events').values(events).execute();
    }
  }
}

/** PostgreSQL's serialization failure / deadlock, SQLite's busy: the transaction may simply be run again. */
function retryable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null || !('code' in error)) return false;
  const code = error.code;
  return code === '40001' || code === '40P01' || code === 'SQLITE_BUSY';
}

const ATTEMPTS = 5;

/** Runs a transaction again (bounded, with a jittered backoff) when the database asks for a retry. */
async function withRetry<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await run();
    } catch (error) {
      if (attempt >= ATTEMPTS || !retryable(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, attempt * 25 + Math.random() * 50));
    }
  }
}

// Each enrolled host's key parsed once (keyed by its PEM, so a re-enrolled key is a new entry): createPublicKey was
// ~0.2 ms of each signed request, two per report. Bounded, oldest entry out first.
const PUBLIC_KEYS_MAX = 50_000;
const publicKeys = new Map<string, KeyObject>();

function enrolledKey(pem: string): KeyObject {
  const hit = publicKeys.get(pem);
  if (hit !== undefined) return hit;
  const key = createPublicKey(pem);
  if (publicKeys.size >= PUBLIC_KEYS_MAX) {
    const oldest = publicKeys.keys().next();
    if (oldest.done !== true) publicKeys.delete(oldest.value);
  }
  publicKeys.set(pem, key);
  return key;
}

interface SignedBy {
  readonly host: { id: string; last_created_at: string | null };
  readonly body: Buffer;
}

/** Checks a DSSE envelope of `payloadType` signed by an enrolled host's key; answers the host and the payload. */
async function verifySigned(
  db: ServerDb,
  raw: unknown,
  payloadType: string,
  what: string,
): Promise<SignedBy> {
  const parsedEnvelope = envelopeSchema.safeParse(raw);
  if (!parsedEnvelope.success) {
    const unsigned = parsedEnvelope.error.issues.some((i) => i.path[0] === 'signatures');
    throw new ApiError(
      unsigned ? 401 : 400,
      unsigned ? 'unsigned' : 'bad-envelope',
      `not a signed DSSE envelope: ${issuesText(parsedEnvelope.error)}`,
    );
  }
  const envelope = parsedEnvelope.data;
  if (envelope.payloadType !== payloadType)
    throw new ApiError(415, 'payload-type', `payloadType must be ${payloadType}`);
  const body = Buffer.from(envelope.payload, 'base64');
  const keyids = envelope.signatures.map((s) => s.keyid);
  const host = await db
    .selectFrom('hosts')
    .select(['id', 'public_key', 'last_created_at'])
    .where('id', 'in', keyids)
    .executeTakeFirst();
  if (host === undefined)
    throw new ApiError(
      401,
      'unknown-key',
      `no enrolled host has the key that signed this ${what}; enrol with a token from \`bulkhead server token create\` first`,
    );
  if (!verifyEnvelope(envelope, body, enrolledKey(host.public_key)))
    throw new ApiError(
      401,
      'bad-signature',
      `the ${what} signature does not verify (tampered or signed with another key)`,
    );
  return { host, body };
}

function parsePayload(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new ApiError(400, 'bad-json', 'the signed payload is not JSON');
  }
}

const variantKey = (digest: string, hash: string | undefined): string => `${digest} ${hash ?? ''}`;

interface StoredInventories {
  /** images.inventory_hash of every asked digest the server has an image row for ('' for rows from before 0002). */
  readonly first: ReadonlyMap<string, string>;
  /** variantKey of every asked (digest, inventory hash) the server stores: the first inventory or a variant. */
  readonly stored: ReadonlySet<string>;
}

/**
 * Which of these (digest, inventory hash) the server stores. One read of `images` answers the usual case (the hash
 * is the digest's first inventory's); image_inventories is read only for the pairs it does not answer, and only for
 * digests with an image row (a variant's digest always has one).
 */
async function storedInventories(
  db: ServerDb | Transaction<ServerDatabase>,
  asked: readonly { readonly digest: string; readonly inventoryHash: string }[],
): Promise<StoredInventories> {
  const first = new Map<string, string>();
  for (const chunk of chunks([...new Set(asked.map((a) => a.digest))], 500))
    for (const r of await db
      .selectFrom('images')
      .select(['digest', 'inventory_hash'])
      .where('digest', 'in', chunk)
      .execute())
      first.set(r.digest, r.inventory_hash);
  const stored = new Set<string>();
  const unanswered = new Set<string>();
  for (const a of asked) {
    const hash = first.get(a.digest);
    if (hash === undefined) continue;
    if (hash !== '' && hash === a.inventoryHash) stored.add(variantKey(a.digest, a.inventoryHash));
    else unanswered.add(a.digest);
  }
  for (const chunk of chunks([...unanswered], 500))
    for (const r of await db
      .selectFrom('image_inventories')
      .select(['digest', 'inventory_hash'])
      .where('digest', 'in', chunk)
      .execute())
      stored.add(variantKey(r.digest, r.inventory_hash));
  return { first, stored };
}

/**
 * `POST /api/v1/inventories/missing`: a signed question from an enrolled host, "which of these (digest, inventory
 * hash) do you still need?"; answers the ones the server does not store, so the agent sends only those in full.
 */
export async function missingInventories(
  db: ServerDb,
  raw: unknown,
): Promise<{ missing: { digest: string; inventoryHash: string }[] }> {
  const { body } = await verifySigned(db, raw, INVENTORY_QUERY_PAYLOAD_TYPE, 'inventory query');
  const parsed = inventoryQuerySchema.safeParse(parsePayload(body));
  if (!parsed.success) throw new ApiError(422, 'invalid', `inventory query: ${issuesText(parsed.error)}`);
  const asked = parsed.data.inventories;
  const { stored } = await storedInventories(db, asked);
  return {
    missing: asked
      .filter((i) => !stored.has(variantKey(i.digest, i.inventoryHash)))
      .map((i) => ({ digest: i.digest, inventoryHash: i.inventoryHash })),
  };
}

/** Verifies and stores one envelope (already parsed as JSON, size already limited by the HTTP layer). */
export async function ingestReport(
  db: ServerDb,
  vulndb: VulnDb | undefined,
  raw: unknown,
  bytes: number,
): Promise<IngestResult> {
  const { host, body } = await verifySigned(db, raw, REPORT_PAYLOAD_TYPE, 'report');
  const reportId = createHash('sha256').update(body).digest('hex');
  const parsed = fleetReportSchema.safeParse(parsePayload(body));
  if (!parsed.success) throw new ApiError(422, 'invalid', `report: ${issuesText(parsed.error)}`);
  const report = parsed.data;
  const references = report.references ?? [];
  const digests = new Set(report.images.map((i) => i.digest));
  const allDigests = new Set([...digests, ...references.map((r) => r.digest)]);
  if (allDigests.size !== report.images.length + references.length)
    throw new ApiError(
      422,
      'invalid',
      'an image digest appears twice in images and references: one inventory or reference per digest',
    );
  for (const c of report.containers)
    if (!allDigests.has(c.digest))
      throw new ApiError(
        422,
        'invalid',
        `container ${c.name} runs ${c.digest}, which has no inventory or reference in the report`,
      );

  // A stored report is never newer than its host's newest (the transaction that stores it moves last_created_at),
  // so only a report that is not newer can be a re-sent one: a fresh report costs no lookup.
  if (host.last_created_at !== null && report.createdAt <= host.last_created_at) {
    const already = await db.selectFrom('reports').select('id').where('id', '=', reportId).executeTakeFirst();
    if (already !== undefined) return { status: 'duplicate', reportId, hostId: host.id, newImages: 0 };
    throw new ApiError(
      409,
      'replay',
      `a report created at ${report.createdAt} is not newer than the last accepted one (${host.last_created_at}): replay refused`,
    );
  }

  // What the server stores for every digest of the report, in one read of `images` when the inventories are the
  // ones it knows (image_inventories only for the others).
  const hashes = new Map(report.images.map((i) => [i.digest, cachedInventoryHash(i)]));
  const { first: known, stored } = await storedInventories(db, [
    ...references,
    ...report.images.map((i) => ({ digest: i.digest, inventoryHash: hashes.get(i.digest) ?? '' })),
  ]);
  // A reference stands for an inventory the server stores for exactly that digest (the first one or a variant, so
  // its findings are the digest's already); anything else is refused and the agent sends the inventory in full.
  const unknown = references.filter((r) => !stored.has(variantKey(r.digest, r.inventoryHash)));
  if (unknown.length > 0)
    throw new ApiError(
      422,
      UNKNOWN_INVENTORY,
      `${unknown.length} image reference(s) name an inventory this server does not store for that digest (first: ${unknown[0]?.digest ?? ''} ${unknown[0]?.inventoryHash ?? ''}); send those images' inventories in full`,
    );

  // Match images the server has not seen before, and inventories that differ from the one stored for a digest,
  // outside the transaction (CPU work, no locks held).
  const fresh = report.images.filter((i) => !known.has(i.digest));
  const matchOf = (i: ImageInventory): readonly MatchedFinding[] =>
    matchInventoryOnce(i, hashes.get(i.digest) ?? cachedInventoryHash(i), vulndb);
  const matched = new Map(fresh.map((i) => [i.digest, matchOf(i)]));
  const differing = report.images.filter((i) => {
    const first = known.get(i.digest);
    return first !== undefined && first !== '' && first !== hashes.get(i.digest);
  });
  const variants = differing.filter((i) => !stored.has(variantKey(i.digest, hashes.get(i.digest))));
  const variantMatches = new Map(variants.map((i) => [i.digest, matchOf(i)]));
  const now = new Date().toISOString();

  // Shared rows (images and their packages) are inserted in digest order and with ON CONFLICT DO NOTHING, so two
  // reports bringing the same new digests wait on each other in one order and never deadlock (PostgreSQL 40P01);
  // only the transaction that inserted an image row writes its packages and findings.
  const freshSorted = [...fresh].sort((a, b) => (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0));
  const containers = [...new Map(report.containers.map((c) => [c.id, c])).values()]
    .map((c) => ({
      host_id: host.id,
      container_id: c.id,
      name: c.name,
      image_ref: c.image,
      digest: c.digest,
      running: c.running ? 1 : 0,
    }))
    .sort((a, b) => (a.container_id < b.container_id ? -1 : 1));
  let newImages = 0;
  try {
    newImages = await withRetry(() =>
      db.transaction().execute(async (tx) => {
        await tx
          .insertInto('reports')
          .values({
            id: reportId,
            host_id: host.id,
            created_at: report.createdAt,
            received_at: now,
            body: JSON.stringify({
              daemon: report.daemon ?? null,
              audit: report.audit,
              containers: report.containers,
            }),
            bytes,
          })
          .execute();
        // the newest-wins check again inside the transaction: a concurrent newer report may have landed meanwhile.
        // For a host's first report it also requires that no report landed at all, so the transaction knows there
        // are no containers of the host to delete (the host's row lock orders it after any other report's).
        const newest = (onlyIfFirst: boolean): Promise<{ numUpdatedRows: bigint }> =>
          tx
            .updateTable('hosts')
            .set({
              last_seen: now,
              last_report: reportId,
              last_created_at: report.createdAt,
              audit_counts: JSON.stringify(auditCounts(report)),
            })
            .where('id', '=', host.id)
            .where((eb) =>
              onlyIfFirst
                ? eb('last_created_at', 'is', null)
                : eb.or([eb('last_created_at', 'is', null), eb('last_created_at', '<', report.createdAt)]),
            )
            .executeTakeFirst();
        let reportedBefore = host.last_created_at !== null;
        let updated = await newest(!reportedBefore);
        if (updated.numUpdatedRows !== 1n && !reportedBefore) {
          reportedBefore = true;
          updated = await newest(false);
        }
        if (updated.numUpdatedRows !== 1n)
          throw new ApiError(
            409,
            'replay',
            'a newer report from this host was accepted meanwhile: replay refused',
          );
        const won = new Set<string>();
        for (const chunk of chunks(freshSorted, 200)) {
          const inserted = await tx
            .insertInto('images')
            .values(
              chunk.map((image) => ({
                digest: image.digest,
                ref: image.ref,
                os: JSON.stringify(image.os),
                package_count: uniquePackages(image).length,
                first_seen: now,
                inventory_hash: hashes.get(image.digest) ?? '',
              })),
            )
            .onConflict((oc) => oc.column('digest').doNothing())
            .returning('digest')
            .execute();
          for (const row of inserted) won.add(row.digest); // the others: another report brought them first
        }
        const mine = freshSorted.filter((i) => won.has(i.digest));
        const packages = mine.flatMap((image) =>
          uniquePackages(image).map((p) => ({
            digest: image.digest,
            name: p.name,
            version: p.version,
            source_name: p.sourceName,
            source_version: p.sourceVersion,
            format: p.format,
          })),
        );
        for (const chunk of insertChunks(packages))
          await tx.insertInto('image_packages').values(chunk).execute();
        const findings = mine.flatMap((image) =>
          (matched.get(image.digest) ?? []).map((m) => openFindingRow(image.digest, m, now)),
        );
        for (const chunk of insertChunks(findings)) await tx.insertInto('findings').values(chunk).execute();
        const findingEvents = findings.map((f) => ({
          id: randomUUID(),
          finding_id: f.id,
          digest: f.digest,
          vulnerability: f.vulnerability,
          kind: 'new' as const,
          at: now,
        }));
        for (const chunk of insertChunks(findingEvents))
          await tx.insertInto('finding_events').values(chunk).execute();
        // a digest another report brought first (meanwhile) with a different inventory is a variant too
        const lost = freshSorted.filter((i) => !won.has(i.digest));
        const lostHashes =
          lost.length === 0
            ? []
            : await tx
                .selectFrom('images')
                .select(['digest', 'inventory_hash'])
                .where(
                  'digest',
                  'in',
                  lost.map((i) => i.digest),
                )
                .execute();
        const lateVariants = lost.filter((i) =>
          lostHashes.some((r) => r.digest === i.digest && r.inventory_hash !== hashes.get(i.digest)),
        );
        for (const i of lateVariants) variantMatches.set(i.digest, matched.get(i.digest) ?? []);
        await storeVariants(tx, host.id, now, [...variants, ...lateVariants], hashes, variantMatches);
        // the host's containers become the report's: those it no longer runs go, new and changed ones are written,
        // and an unchanged row (most of them, report after report) is not rewritten; a host's first report (only
        // ingest writes host_containers, in the transaction that sets last_created_at) has nothing to delete
        if (reportedBefore) {
          const kept = containers.map((c) => c.container_id);
          let gone = tx.deleteFrom('host_containers').where('host_id', '=', host.id);
          if (kept.length > 0) gone = gone.where('container_id', 'not in', kept);
          await gone.execute();
        }
        for (const chunk of insertChunks(containers))
          await tx
            .insertInto('host_containers')
            .values(chunk)
            .onConflict((oc) =>
              oc
                .columns(['host_id', 'container_id'])
                .doUpdateSet((eb) => ({
                  name: eb.ref('excluded.name'),
                  image_ref: eb.ref('excluded.image_ref'),
                  digest: eb.ref('excluded.digest'),
                  running: eb.ref('excluded.running'),
                }))
                .where((eb) =>
                  eb.or([
                    eb('host_containers.name', '<>', eb.ref('excluded.name')),
                    eb('host_containers.image_ref', '<>', eb.ref('excluded.image_ref')),
                    eb('host_containers.digest', '<>', eb.ref('excluded.digest')),
                    eb('host_containers.running', '<>', eb.ref('excluded.running')),
                  ]),
                ),
            )
            .execute();
        const decisions = report.authz.map((d) => ({ id: randomUUID(), host_id: host.id, ...d }));
        for (const chunk of insertChunks(decisions))
          await tx.insertInto('authz_decisions').values(chunk).execute();
        // an event the agent names (watch store id) is kept once per host, even when a report is re-sent
        const events = report.events.map((e) => ({
          id:
            e.id === undefined
              ? randomUUID()
              : createHash('sha256').update(`${host.id}\u0000${e.id}`).digest('hex'),
          host_id: host.id,
          at: e.at,
          kind: e.kind,
          container: e.container,
          detail: JSON.stringify(e.detail),
        }));
        for (const chunk of insertChunks(events))
          await tx
            .insertInto('runtime_events')
            .values(chunk)
            .onConflict((oc) => oc.column('id').doNothing())
            .execute();
        // the fleet page's cached CVEs per digest (findings-cache.ts) are stale once findings were added; last, so
        // the counter's row lock (PostgreSQL) is held only until the commit
        if (findings.length > 0 || variants.length + lateVariants.length > 0)
          await bumpFindingsGeneration(tx);
        return mine.length;
      }),
    );
  } catch (error) {
    // two deliveries of one report racing: the loser sees the primary key and is a duplicate, not an error
    const again = await db.selectFrom('reports').select('id').where('id', '=', reportId).executeTakeFirst();
    if (again !== undefined && !(error instanceof ApiError))
      return { status: 'duplicate', reportId, hostId: host.id, newImages: 0 };
    throw error;
  }
  return { status: 'stored', reportId, hostId: host.id, newImages };
}

/** Deletes runtime events and authz decisions older than the retention (pruning by age, docs/server.md). */
export async function pruneOld(db: ServerDb, retentionDays: number, now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - retentionDays * 86_400_000).toISOString();
  const a = await db.deleteFrom('runtime_events').where('at', '<', cutoff).executeTakeFirst();
  const b = await db.deleteFrom('authz_decisions').where('at', '<', cutoff).executeTakeFirst();
  return Number(a.numDeletedRows + b.numDeletedRows);
}
