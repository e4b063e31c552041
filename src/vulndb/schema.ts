// The on-disk layout of the bulkhead vulnerability database (one SQLite file) and the codes stored in it.
// Compact by design: ids are integers, advisories live in one WITHOUT ROWID table keyed for the detector's lookup.
import type { VulnerabilityDetail } from '../shared/finding.js';
import type { Severity } from '../shared/severity.js';

/** Bumped on every incompatible change; a file with another version is rejected as DB_CORRUPT (rebuild it). */
export const SCHEMA_VERSION = 3;
/** `PRAGMA application_id`: tells a bulkhead DB from any other SQLite file ("BHVD"). */
export const APPLICATION_ID = 0x42485644;

export const SCHEMA_SQL = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE sources (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  format TEXT NOT NULL,
  location TEXT NOT NULL,
  imported_at TEXT NOT NULL,
  records INTEGER NOT NULL DEFAULT 0,
  skipped INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE releases (
  id INTEGER PRIMARY KEY,
  ecosystem TEXT NOT NULL,
  release TEXT NOT NULL,
  UNIQUE (ecosystem, release)
);
-- name is unique by construction (the writer keeps a name -> id map); no index needed for lookups by id
CREATE TABLE vulns (id INTEGER PRIMARY KEY, name TEXT NOT NULL, aliases TEXT, description TEXT);
CREATE TABLE affected (
  release INTEGER NOT NULL,
  package TEXT NOT NULL,
  vuln INTEGER NOT NULL,
  introduced TEXT NOT NULL DEFAULT '',
  status INTEGER NOT NULL,
  fixed TEXT,
  severity INTEGER,
  source INTEGER NOT NULL,
  PRIMARY KEY (release, package, vuln, introduced)
) WITHOUT ROWID;
-- Red Hat repository id (content set) -> product CPE, from repository-to-cpe.json
CREATE TABLE repository_cpes (
  repository TEXT NOT NULL,
  cpe TEXT NOT NULL,
  source INTEGER NOT NULL,
  PRIMARY KEY (repository, cpe)
) WITHOUT ROWID;
CREATE TABLE support_ended (
  release INTEGER NOT NULL,
  package TEXT NOT NULL,
  last_version TEXT NOT NULL,
  ended TEXT NOT NULL,
  note TEXT NOT NULL,
  source INTEGER NOT NULL,
  PRIMARY KEY (release, package)
) WITHOUT ROWID;
`;

export type AdvisoryStatus = VulnerabilityDetail['status'];
export const STATUS_CODES: readonly AdvisoryStatus[] = ['fixed', 'open', 'minor', 'wont-fix', 'end-of-life'];
export const SEVERITY_CODES: readonly Severity[] = ['info', 'low', 'medium', 'high', 'critical'];

export function encodeStatus(status: AdvisoryStatus): number {
  return STATUS_CODES.indexOf(status);
}
export function decodeStatus(code: number): AdvisoryStatus | undefined {
  return STATUS_CODES[code];
}
export function encodeSeverity(severity: Severity | null): number | null {
  return severity === null ? null : SEVERITY_CODES.indexOf(severity);
}
export function decodeSeverity(code: number | null): Severity | null {
  return code === null ? null : (SEVERITY_CODES[code] ?? null);
}
