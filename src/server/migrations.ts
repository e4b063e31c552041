// The server's schema migrations: one kysely migration list run unchanged on SQLite and PostgreSQL (only portable
// column types: text, integer), applied at startup by kysely's Migrator, which locks against concurrent replicas.
import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { BulkheadError } from '../shared/errors.js';

// The schema builder is untyped by design (tables do not exist yet): Kysely<unknown> as kysely's docs recommend.
const initial: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('tenants')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull().unique())
      .addColumn('grants', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('api_tokens')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('enrolment_tokens')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('tenant_id', 'text')
      .addColumn('labels', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('used_at', 'text')
      .addColumn('used_by', 'text')
      .execute();
    await db.schema
      .createTable('hosts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('labels', 'text', (c) => c.notNull())
      .addColumn('public_key', 'text', (c) => c.notNull())
      .addColumn('enrolled_at', 'text', (c) => c.notNull())
      .addColumn('last_seen', 'text')
      .addColumn('last_report', 'text')
      .addColumn('last_created_at', 'text')
      .addColumn('audit_counts', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('reports')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('host_id', 'text', (c) => c.notNull().references('hosts.id').onDelete('cascade'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('received_at', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('bytes', 'integer', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('reports_host').on('reports').columns(['host_id', 'created_at']).execute();
    await db.schema
      .createTable('images')
      .addColumn('digest', 'text', (c) => c.primaryKey())
      .addColumn('ref', 'text', (c) => c.notNull())
      .addColumn('os', 'text', (c) => c.notNull())
      .addColumn('package_count', 'integer', (c) => c.notNull())
      .addColumn('first_seen', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('image_packages')
      .addColumn('digest', 'text', (c) => c.notNull().references('images.digest').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('version', 'text', (c) => c.notNull())
      .addColumn('source_name', 'text', (c) => c.notNull())
      .addColumn('source_version', 'text', (c) => c.notNull())
      .addColumn('format', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('image_packages_pk', ['digest', 'name', 'version'])
      .execute();
    await db.schema
      .createTable('host_containers')
      .addColumn('host_id', 'text', (c) => c.notNull().references('hosts.id').onDelete('cascade'))
      .addColumn('container_id', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('image_ref', 'text', (c) => c.notNull())
      .addColumn('digest', 'text', (c) => c.notNull())
      .addColumn('running', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('host_containers_pk', ['host_id', 'container_id'])
      .execute();
    await db.schema.createIndex('host_containers_digest').on('host_containers').column('digest').execute();
    await db.schema
      .createTable('findings')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('digest', 'text', (c) => c.notNull().references('images.digest').onDelete('cascade'))
      .addColumn('vulnerability', 'text', (c) => c.notNull())
      .addColumn('package', 'text', (c) => c.notNull())
      .addColumn('installed', 'text', (c) => c.notNull())
      .addColumn('fixed_version', 'text')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('severity', 'text', (c) => c.notNull())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('first_seen', 'text', (c) => c.notNull())
      .addColumn('last_seen', 'text', (c) => c.notNull())
      .addUniqueConstraint('findings_key', ['digest', 'vulnerability', 'package'])
      .execute();
    await db.schema.createIndex('findings_vuln').on('findings').columns(['vulnerability', 'state']).execute();
    await db.schema
      .createTable('finding_events')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('finding_id', 'text', (c) => c.notNull())
      .addColumn('digest', 'text', (c) => c.notNull())
      .addColumn('vulnerability', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('finding_events_at').on('finding_events').column('at').execute();
    await db.schema
      .createTable('authz_decisions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('host_id', 'text', (c) => c.notNull().references('hosts.id').onDelete('cascade'))
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('user', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('decision', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('authz_at').on('authz_decisions').columns(['host_id', 'at']).execute();
    await db.schema
      .createTable('runtime_events')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('host_id', 'text', (c) => c.notNull().references('hosts.id').onDelete('cascade'))
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('container', 'text', (c) => c.notNull())
      .addColumn('detail', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('runtime_at').on('runtime_events').columns(['host_id', 'at']).execute();
  },
};

// Inventory poisoning (docs/server.md "Inventories"): each digest keeps the hash of its first inventory, and every
// differing inventory another report brings for it is kept (with the host that sent it) and flagged.
const inventories: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .alterTable('images')
      .addColumn('inventory_hash', 'text', (c) => c.notNull().defaultTo(''))
      .execute();
    await db.schema
      .createTable('image_inventories')
      .addColumn('digest', 'text', (c) => c.notNull().references('images.digest').onDelete('cascade'))
      .addColumn('inventory_hash', 'text', (c) => c.notNull())
      .addColumn('host_id', 'text', (c) => c.notNull())
      .addColumn('package_count', 'integer', (c) => c.notNull())
      .addColumn('packages', 'text', (c) => c.notNull())
      .addColumn('first_seen', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('image_inventories_pk', ['digest', 'inventory_hash'])
      .execute();
  },
};

// A counter bumped by every transaction that adds, fixes, reopens or re-rates findings: a server (any replica)
// keeps each digest's open CVEs in memory for the fleet page and drops that copy when the counter moved.
const findingsGeneration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('findings_generation')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('n', 'integer', (c) => c.notNull())
      .execute();
    await sql`insert into findings_generation (id, n) values (1, 0)`.execute(db);
  },
};

// "Hosts with CVE X" counted and paged by the database (queries.ts hostsWithCve): findings by vulnerability carry
// the digest (an index-only lookup of the affected images), containers by digest carry the host (totals from the
// index alone), hosts by name give the page order without sorting every affected container. The new indexes
// extend the old ones, which go.
const cveIndexes: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createIndex('findings_vuln_digest')
      .on('findings')
      .columns(['vulnerability', 'state', 'digest'])
      .execute();
    await db.schema.dropIndex('findings_vuln').execute();
    await db.schema
      .createIndex('host_containers_digest_host')
      .on('host_containers')
      .columns(['digest', 'host_id'])
      .execute();
    await db.schema.dropIndex('host_containers_digest').execute();
    await db.schema.createIndex('hosts_name').on('hosts').column('name').execute();
  },
};

// Enrolment tokens with a use count and an expiry (docs/server.md "Enrolment"): one token enrols up to `uses`
// distinct agent keys until `expires_at`. `used` is the counter the claim increments with a guarded UPDATE (used <
// uses and not expired), atomic on both databases; each (token, key) pair is a row, so the same key enrolling again
// finds its row and burns no use. Tokens made before this migration keep their one use and never expire; a used one
// keeps its host as its one use. used_at/used_by are replaced by the uses table and go.
const enrolmentUses: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .alterTable('enrolment_tokens')
      .addColumn('uses', 'integer', (c) => c.notNull().defaultTo(1))
      .execute();
    await db.schema
      .alterTable('enrolment_tokens')
      .addColumn('used', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.alterTable('enrolment_tokens').addColumn('expires_at', 'text').execute();
    await db.schema
      .createTable('enrolment_token_uses')
      .addColumn('token_id', 'text', (c) => c.notNull().references('enrolment_tokens.id').onDelete('cascade'))
      .addColumn('host_id', 'text', (c) => c.notNull())
      .addColumn('at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('enrolment_token_uses_pk', ['token_id', 'host_id'])
      .execute();
    await sql`insert into enrolment_token_uses (token_id, host_id, at)
      select id, used_by, used_at from enrolment_tokens where used_at is not null and used_by is not null`.execute(
      db,
    );
    await sql`update enrolment_tokens set used = 1 where used_at is not null`.execute(db);
    await db.schema.alterTable('enrolment_tokens').dropColumn('used_at').execute();
    await db.schema.alterTable('enrolment_tokens').dropColumn('used_by').execute();
  },
};

// Revoking an enrolment token (docs/server.md "Enrolment"): revoked_at set by `server token revoke`; the claim's
// guarded UPDATE also requires it null, so an enrolment racing the revocation either committed before it or fails.
// Hosts already enrolled with the token keep their keys.
const enrolmentRevoke: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('enrolment_tokens').addColumn('revoked_at', 'text').execute();
  },
};

// The fleet page's hosts table paged, filtered and sorted by the database (queries.ts fleetHosts): each host's worst
// severity as a SEVERITIES index (5 = none, what a host without reports has), kept by the fleet readers, which
// compute it for every visible host anyway; the index gives the page order (worst, then name) without a sort.
const hostsWorst: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .alterTable('hosts')
      .addColumn('worst_rank', 'integer', (c) => c.notNull().defaultTo(5))
      .execute();
    await db.schema
      .createIndex('hosts_worst_name')
      .on('hosts')
      .columns(['worst_rank', 'name', 'id'])
      .execute();
  },
};

const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001-initial': initial,
  '0002-inventories': inventories,
  '0003-findings-generation': findingsGeneration,
  '0004-cve-indexes': cveIndexes,
  '0005-enrolment-uses': enrolmentUses,
  '0006-enrolment-revoke': enrolmentRevoke,
  '0007-hosts-worst': hostsWorst,
};

const provider: MigrationProvider = {
  getMigrations: () => Promise.resolve({ ...MIGRATIONS }),
};

/** Brings the database to the schema of one migration (by name); for tests of a later migration over old rows. */
export async function migrateTo(db: Kysely<unknown>, name: string): Promise<void> {
  const { error } = await new Migrator({ db, provider }).migrateTo(name);
  if (error !== undefined)
    throw error instanceof Error ? error : new Error('migration failed', { cause: error });
}

/** Brings the database to the newest schema; kysely's Migrator takes a lock so replicas can start together. */
export async function migrateToLatest(db: Kysely<unknown>, where: string): Promise<void> {
  const { error } = await new Migrator({ db, provider }).migrateToLatest();
  if (error !== undefined) {
    throw new BulkheadError('DB_CORRUPT', `cannot migrate the server database at ${where}`, {
      subject: where,
      hint: 'check that the database is a bulkhead server database and that this bulkhead is not older than its schema',
      cause: error,
    });
  }
}
