// The fleet server's tables as kysely types: one schema for SQLite and PostgreSQL (times are ISO-8601 UTC text,
// JSON columns are text, ids are text), so the same queries and migrations run on both (docs/server.md "Storage").
import type { ColumnType, Kysely } from 'kysely';

export interface TenantTable {
  readonly id: string;
  readonly name: string;
  /** JSON array of label selectors ({"env":"prod"}); a host is visible when any selector matches; [{}] = all hosts. */
  readonly grants: string;
  readonly created_at: string;
}

export interface ApiTokenTable {
  readonly id: string;
  readonly tenant_id: string;
  /** sha256 hex of the token; the token itself is shown once and never stored. */
  readonly token_hash: string;
  readonly created_at: string;
}

export interface EnrolmentTokenTable {
  readonly id: string;
  readonly token_hash: string;
  readonly tenant_id: string | null;
  /** JSON object of labels the enrolled host gets (authoritative over the agent's own --label). */
  readonly labels: string;
  readonly created_at: string;
  /** How many distinct agent keys the token may enrol (1: one-time). */
  readonly uses: number;
  /** How many it enrolled: raised only by the guarded UPDATE in ingest.ts enrolHost (used < uses, not expired). */
  readonly used: number;
  /** ISO-8601 UTC; null for tokens made before expiries existed (migration 0005). */
  readonly expires_at: string | null;
  /** ISO-8601 UTC when `server token revoke` revoked it (migration 0006); null while usable. */
  readonly revoked_at: string | null;
}

/** One row per (token, agent key) it enrolled: the same key enrolling again finds its row and burns no use. */
export interface EnrolmentTokenUseTable {
  readonly token_id: string;
  readonly host_id: string;
  readonly at: string;
}

export interface HostTable {
  /** sha256 hex of the agent's Ed25519 SPKI public key: also the DSSE keyid. */
  readonly id: string;
  readonly name: string;
  readonly labels: string;
  readonly public_key: string;
  readonly enrolled_at: string;
  readonly last_seen: string | null;
  readonly last_report: string | null;
  /** createdAt of the newest accepted report: older or equal ones are replays. */
  readonly last_created_at: string | null;
  /** JSON {severity: count} of the newest report's audit failures. */
  readonly audit_counts: string;
  /**
   * SEVERITIES index of the worst open vulnerability or audit failure, 5 when none (migration 0007): written by the
   * fleet readers (queries.ts syncWorstRanks) when the value they compute differs, so the database pages and sorts.
   */
  readonly worst_rank: ColumnType<number, number | undefined, number>;
}

export interface ReportTable {
  /** sha256 hex of the DSSE payload: the idempotency key. */
  readonly id: string;
  readonly host_id: string;
  readonly created_at: string;
  readonly received_at: string;
  /** JSON: the audit part of the report (findings, daemon, containers). */
  readonly body: string;
  readonly bytes: number;
}

export interface ImageTable {
  readonly digest: string;
  readonly ref: string;
  readonly os: string;
  readonly package_count: number;
  readonly first_seen: string;
  /** sha256 of the first inventory stored for the digest (inventoryHash); '' for rows from before 0002 until a rematch. */
  readonly inventory_hash: ColumnType<string, string | undefined, string>;
}

/** A later inventory for a digest that differs from the first one: kept, matched too, and flagged. */
export interface ImageInventoryTable {
  readonly digest: string;
  readonly inventory_hash: string;
  /** The host whose report first brought this inventory. */
  readonly host_id: string;
  readonly package_count: number;
  /** JSON array of the inventory's packages (the first inventory's are in image_packages). */
  readonly packages: string;
  readonly first_seen: string;
}

export interface ImagePackageTable {
  readonly digest: string;
  readonly name: string;
  readonly version: string;
  readonly source_name: string;
  readonly source_version: string;
  readonly format: string;
}

export interface HostContainerTable {
  readonly host_id: string;
  readonly container_id: string;
  readonly name: string;
  readonly image_ref: string;
  readonly digest: string;
  readonly running: number;
}

export interface FindingTable {
  readonly id: string;
  readonly digest: string;
  readonly vulnerability: string;
  readonly package: string;
  readonly installed: string;
  readonly fixed_version: string | null;
  readonly status: string;
  readonly severity: string;
  readonly title: string;
  readonly state: 'open' | 'fixed';
  readonly first_seen: string;
  readonly last_seen: string;
}

export interface FindingEventTable {
  readonly id: string;
  readonly finding_id: string;
  readonly digest: string;
  readonly vulnerability: string;
  readonly kind: 'new' | 'fixed';
  readonly at: string;
}

export interface AuthzDecisionTable {
  readonly id: string;
  readonly host_id: string;
  readonly at: string;
  readonly user: string;
  readonly action: string;
  readonly decision: string;
  readonly reason: string;
}

export interface RuntimeEventTable {
  readonly id: string;
  readonly host_id: string;
  readonly at: string;
  readonly kind: string;
  readonly container: string;
  readonly detail: string;
}

export interface FindingsGenerationTable {
  readonly id: number;
  readonly n: number;
}

export interface ServerDatabase {
  tenants: TenantTable;
  api_tokens: ApiTokenTable;
  enrolment_tokens: EnrolmentTokenTable;
  enrolment_token_uses: EnrolmentTokenUseTable;
  hosts: HostTable;
  reports: ReportTable;
  images: ImageTable;
  image_packages: ImagePackageTable;
  image_inventories: ImageInventoryTable;
  host_containers: HostContainerTable;
  findings: FindingTable;
  finding_events: FindingEventTable;
  findings_generation: FindingsGenerationTable;
  authz_decisions: AuthzDecisionTable;
  runtime_events: RuntimeEventTable;
}

export type ServerDb = Kysely<ServerDatabase>;
