// Tenants, API tokens and enrolment tokens (N uses, an expiry): tokens are random 32-byte values shown once and
// stored as sha256 hashes; a tenant's grants are label selectors, and a host is visible when one selector's labels are all
// on the host (docs/server.md "Access").
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { UsageError } from '../shared/errors.js';
import { labelsSchema } from '../shared/fleet-report.js';
import type { ServerDb } from './schema.js';

export type Labels = Readonly<Record<string, string>>;

export interface Tenant {
  readonly id: string;
  readonly name: string;
  readonly grants: readonly Labels[];
}

const grantsSchema = z.array(labelsSchema);

export const hashToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

function newToken(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

/** "k=v,k2=v2" -> labels; "*" or "" -> {} (a selector matching every host). */
export function parseLabels(raw: string, what: string): Labels {
  const out: Record<string, string> = {};
  for (const part of raw
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '' && p !== '*')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new UsageError(`${what}: "${part}" is not k=v`, { hint: 'write labels as k=v,k2=v2' });
    out[part.slice(0, eq)] = part.slice(eq + 1);
  }
  const parsed = labelsSchema.safeParse(out);
  if (!parsed.success)
    throw new UsageError(`${what}: ${parsed.error.issues[0]?.message ?? 'invalid labels'}`, {
      hint: 'label keys and values are short [A-Za-z0-9._/-] words',
    });
  return parsed.data;
}

export function parseJsonLabels(raw: string): Labels {
  const parsed = labelsSchema.safeParse(JSON.parse(raw));
  return parsed.success ? parsed.data : {};
}

export function hostVisible(grants: readonly Labels[], labels: Labels): boolean {
  return grants.some((selector) => Object.entries(selector).every(([k, v]) => labels[k] === v));
}

export async function createTenant(
  db: ServerDb,
  name: string,
  grants: readonly Labels[],
): Promise<{ tenant: Tenant; token: string }> {
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(name))
    throw new UsageError(`tenant name "${name}" is not valid`, {
      hint: 'use lower-case letters, digits and -',
    });
  const existing = await db.selectFrom('tenants').select('id').where('name', '=', name).executeTakeFirst();
  if (existing !== undefined)
    throw new UsageError(`tenant ${name} exists already`, {
      hint: 'pick another name, or create an API token for it with `bulkhead server tenant token NAME`',
    });
  const tenant: Tenant = { id: randomUUID(), name, grants };
  const now = new Date().toISOString();
  await db
    .insertInto('tenants')
    .values({ id: tenant.id, name, grants: JSON.stringify(grants), created_at: now })
    .execute();
  const token = await createApiToken(db, name);
  return { tenant, token };
}

export async function createApiToken(db: ServerDb, tenantName: string): Promise<string> {
  const tenant = await db
    .selectFrom('tenants')
    .select('id')
    .where('name', '=', tenantName)
    .executeTakeFirst();
  if (tenant === undefined)
    throw new UsageError(`no tenant named ${tenantName}`, {
      hint: 'create it with `bulkhead server tenant create NAME --grant k=v`',
    });
  const token = newToken('bha');
  await db
    .insertInto('api_tokens')
    .values({
      id: randomUUID(),
      tenant_id: tenant.id,
      token_hash: hashToken(token),
      created_at: new Date().toISOString(),
    })
    .execute();
  return token;
}

/** The tenant an API token belongs to, or undefined for an unknown token. */
export async function tenantForToken(db: ServerDb, token: string): Promise<Tenant | undefined> {
  const row = await db
    .selectFrom('api_tokens')
    .innerJoin('tenants', 'tenants.id', 'api_tokens.tenant_id')
    .select(['tenants.id', 'tenants.name', 'tenants.grants'])
    .where('api_tokens.token_hash', '=', hashToken(token))
    .executeTakeFirst();
  if (row === undefined) return undefined;
  const grants = grantsSchema.safeParse(JSON.parse(row.grants));
  return { id: row.id, name: row.name, grants: grants.success ? grants.data : [] };
}

export const DEFAULT_ENROLMENT_USES = 1;
export const DEFAULT_ENROLMENT_TTL_MS = 24 * 3_600_000;
/** A token for a fleet's worth of nodes, at most a year: a larger number is more likely a typo than a plan. */
export const MAX_ENROLMENT_USES = 100_000;
export const MAX_ENROLMENT_TTL_MS = 366 * 86_400_000;

export interface EnrolmentTokenOptions {
  /** Distinct agent keys it may enrol (default 1: one-time). */
  readonly uses?: number;
  /** Valid for this long from now (default 24 h). */
  readonly ttlMs?: number;
  readonly now?: Date;
}

export interface CreatedEnrolmentToken {
  readonly token: string;
  readonly id: string;
  readonly uses: number;
  readonly expiresAt: string;
}

export async function createEnrolmentToken(
  db: ServerDb,
  tenantName: string | undefined,
  labels: Labels,
  options: EnrolmentTokenOptions = {},
): Promise<CreatedEnrolmentToken> {
  const uses = options.uses ?? DEFAULT_ENROLMENT_USES;
  const ttlMs = options.ttlMs ?? DEFAULT_ENROLMENT_TTL_MS;
  if (!Number.isSafeInteger(uses) || uses < 1 || uses > MAX_ENROLMENT_USES)
    throw new UsageError(`--uses must be a whole number from 1 to ${MAX_ENROLMENT_USES}, got ${uses}`, {
      subject: '--uses',
      hint: 'one use per agent the token enrols: e.g. --uses 40 for a DaemonSet on 40 nodes',
    });
  if (!Number.isSafeInteger(ttlMs) || ttlMs < 1000 || ttlMs > MAX_ENROLMENT_TTL_MS)
    throw new UsageError(`--expires must be from 1s to 366d, got ${ttlMs} ms`, {
      subject: '--expires',
      hint: 'e.g. --expires 24h (long enough for the rollout, no longer)',
    });
  let tenantId: string | null = null;
  if (tenantName !== undefined) {
    const tenant = await db
      .selectFrom('tenants')
      .select('id')
      .where('name', '=', tenantName)
      .executeTakeFirst();
    if (tenant === undefined)
      throw new UsageError(`no tenant named ${tenantName}`, {
        hint: 'create it with `bulkhead server tenant create NAME --grant k=v`',
      });
    tenantId = tenant.id;
  }
  const token = newToken('bhe');
  const now = options.now ?? new Date();
  const id = randomUUID();
  const expiresAt = new Date(now.getTime() + ttlMs).toISOString();
  await db
    .insertInto('enrolment_tokens')
    .values({
      id,
      token_hash: hashToken(token),
      tenant_id: tenantId,
      labels: JSON.stringify(labels),
      created_at: now.toISOString(),
      uses,
      used: 0,
      expires_at: expiresAt,
    })
    .execute();
  return { token, id, uses, expiresAt };
}

export interface EnrolmentTokenInfo {
  readonly id: string;
  readonly tenant: string | null;
  readonly labels: Labels;
  readonly uses: number;
  readonly used: number;
  readonly createdAt: string;
  readonly expiresAt: string | null;
  readonly revokedAt: string | null;
}

/**
 * Revokes an enrolment token by id (as `token list` shows it): later enrolments with it get 401 token-revoked; hosts
 * it already enrolled stay enrolled. Revoking twice keeps the first time and says so; an unknown id is a UsageError.
 */
export async function revokeEnrolmentToken(
  db: ServerDb,
  id: string,
  now: Date = new Date(),
): Promise<{ readonly revokedAt: string; readonly already: boolean }> {
  const at = now.toISOString();
  const updated = await db
    .updateTable('enrolment_tokens')
    .set({ revoked_at: at })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (updated.numUpdatedRows === 1n) return { revokedAt: at, already: false };
  const row = await db
    .selectFrom('enrolment_tokens')
    .select('revoked_at')
    .where('id', '=', id)
    .executeTakeFirst();
  if (row === undefined || row.revoked_at === null)
    throw new UsageError(`no enrolment token has id ${id}`, {
      subject: id,
      hint: 'the ids are in the first column of `bulkhead server token list`',
    });
  return { revokedAt: row.revoked_at, already: true };
}

/** Every enrolment token, newest first: what it grants and how much of it is left (never the secret, not even its hash). */
export async function listEnrolmentTokens(db: ServerDb): Promise<EnrolmentTokenInfo[]> {
  const rows = await db
    .selectFrom('enrolment_tokens')
    .leftJoin('tenants', 'tenants.id', 'enrolment_tokens.tenant_id')
    .select([
      'enrolment_tokens.id',
      'tenants.name as tenant',
      'enrolment_tokens.labels',
      'enrolment_tokens.uses',
      'enrolment_tokens.used',
      'enrolment_tokens.created_at',
      'enrolment_tokens.expires_at',
      'enrolment_tokens.revoked_at',
    ])
    .orderBy('enrolment_tokens.created_at', 'desc')
    .orderBy('enrolment_tokens.id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    tenant: r.tenant,
    labels: parseJsonLabels(r.labels),
    uses: r.uses,
    used: r.used,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    revokedAt: r.revoked_at,
  }));
}
