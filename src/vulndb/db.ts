// Opens, reads and (atomically) writes the vulnerability database: one SQLite file built next to its target and
// renamed into place, so readers never see a half-written file and a failed build leaves the old one intact.
import {
  closeSync,
  copyFileSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { BulkheadError, errnoCode } from '../shared/errors.js';
import type { Severity } from '../shared/severity.js';
import {
  APPLICATION_ID,
  decodeSeverity,
  decodeStatus,
  encodeSeverity,
  encodeStatus,
  SCHEMA_SQL,
  SCHEMA_VERSION,
  type AdvisoryStatus,
} from './schema.js';
import type { AdvisoryRecord, AdvisorySink, ImportStats, SupportEndedRecord } from './types.js';
import { removeStaleTemps, tempName, withWriteLock } from './write-lock.js';

type Sqlite = Database.Database;

const FETCH_HINT =
  'run `bulkhead db update` (downloads the feeds) or `bulkhead db import FILE|DIR` (offline feeds)';

/** $XDG_CACHE_HOME/bulkhead/vulndb.sqlite, else ~/.cache/bulkhead/vulndb.sqlite. */
export function defaultDbPath(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const xdg = env['XDG_CACHE_HOME'];
  const base = xdg?.startsWith('/') === true ? xdg : join(env['HOME'] ?? homedir(), '.cache');
  return join(base, 'bulkhead', 'vulndb.sqlite');
}

export interface SourceInfo {
  readonly name: string;
  readonly format: string;
  readonly location: string;
  readonly importedAt: string;
  readonly records: number;
  readonly skipped: number;
}

export interface ReleaseInfo {
  readonly ecosystem: string;
  readonly release: string;
  readonly advisories: number;
}

export interface DbMetadata {
  readonly path: string;
  readonly schemaVersion: number;
  readonly builtAt: string;
  readonly toolVersion: string;
  readonly sources: readonly SourceInfo[];
  /** Distinct vulnerabilities that have at least one advisory. */
  readonly vulnerabilities: number;
  readonly advisories: number;
  readonly sizeBytes: number;
}

export interface AdvisoryRow {
  readonly vulnerability: string;
  readonly aliases: readonly string[];
  readonly status: AdvisoryStatus;
  readonly fixed: string | null;
  readonly introduced: string;
  readonly severity: Severity | null;
  readonly source: string;
  readonly description: string | null;
}

export interface SupportEndedRow {
  readonly package: string;
  readonly lastVersion: string;
  readonly ended: string;
  readonly note: string;
}

/** A read-only handle on the database, with prepared statements for the detector's lookups. */
export interface VulnDb {
  readonly path: string;
  metadata(): DbMetadata;
  releases(): readonly ReleaseInfo[];
  /** Release id for lookups, or undefined when the database has no advisories for that release. */
  releaseId(ecosystem: string, release: string): number | undefined;
  lookup(releaseId: number, sourcePackage: string): readonly AdvisoryRow[];
  supportEnded(releaseId: number): readonly SupportEndedRow[];
  /** Product CPEs of Red Hat content sets (repository ids); a set the map does not know is absent. */
  repositoryCpes(repositories: readonly string[]): Map<string, string[]>;
  /** Runs SQLite's quick_check; returns the problems found ([] when healthy). */
  check(): readonly string[];
  close(): void;
}

function corrupt(path: string, why: string, cause?: unknown): BulkheadError {
  return new BulkheadError('DB_CORRUPT', `${path} is not a valid bulkhead vulnerability database: ${why}`, {
    subject: path,
    hint: `rebuild it: delete the file and ${FETCH_HINT}`,
    cause,
  });
}

function isDirectory(path: string): BulkheadError {
  return new BulkheadError('INPUT_INVALID', `${path} is a directory, not a database file`, {
    subject: path,
    hint: 'give --db the path of the database file, e.g. --db /var/cache/bulkhead/vulndb.sqlite',
  });
}

/** Refuses a database path that is a directory (before anything is downloaded or written). */
export function checkDbTarget(path: string): void {
  if (existsSync(path) && statSync(path).isDirectory()) throw isDirectory(path);
}

function readSchemaVersion(db: Sqlite, path: string): number {
  const appId = db.pragma('application_id', { simple: true });
  if (appId !== APPLICATION_ID) throw corrupt(path, 'not written by bulkhead (wrong application id)');
  const row: unknown = db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get();
  const value = typeof row === 'object' && row !== null && 'value' in row ? Number(row.value) : NaN;
  if (!Number.isInteger(value)) throw corrupt(path, 'no schema version');
  if (value !== SCHEMA_VERSION) {
    throw corrupt(path, `schema version ${value}, this bulkhead reads version ${SCHEMA_VERSION}`);
  }
  return value;
}

/** One row of the lookup, in raw (array) mode: name, status, fixed, introduced, severity, source, description, aliases. */
type RawAdvisory = [
  string,
  number,
  string | null,
  string,
  number | null,
  number,
  string | null,
  string | null,
];

class SqliteVulnDb implements VulnDb {
  readonly path: string;
  readonly #db: Sqlite;
  readonly #lookup: Database.Statement<[number, string], RawAdvisory>;
  readonly #release: Database.Statement<[string, string], { id: number }>;
  readonly #sourceNames: ReadonlyMap<number, string>;

  constructor(path: string, db: Sqlite) {
    this.path = path;
    this.#db = db;
    this.#sourceNames = new Map(
      db
        .prepare<[], { id: number; name: string }>('SELECT id, name FROM sources')
        .all()
        .map((r) => [r.id, r.name]),
    );
    // raw (array) rows: the detector's hot path, about 1.5x faster than objects
    this.#lookup = db
      .prepare<[number, string], RawAdvisory>(
        `SELECT v.name, a.status, a.fixed, a.introduced, a.severity, a.source, v.description, v.aliases
           FROM affected a JOIN vulns v ON v.id = a.vuln
          WHERE a.release = ? AND a.package = ?`,
      )
      .raw(true);
    this.#release = db.prepare(
      `SELECT r.id AS id FROM releases r
        WHERE r.ecosystem = ? AND r.release = ?
          AND (EXISTS (SELECT 1 FROM affected a WHERE a.release = r.id)
               OR EXISTS (SELECT 1 FROM support_ended e WHERE e.release = r.id))`,
    );
  }

  metadata(): DbMetadata {
    const meta = new Map(
      this.#db
        .prepare<[], { key: string; value: string }>('SELECT key, value FROM meta')
        .all()
        .map((r) => [r.key, r.value]),
    );
    const sources = this.#db
      .prepare<
        [],
        {
          name: string;
          format: string;
          location: string;
          imported_at: string;
          records: number;
          skipped: number;
        }
      >('SELECT name, format, location, imported_at, records, skipped FROM sources ORDER BY name')
      .all()
      .map((r) => ({
        name: r.name,
        format: r.format,
        location: r.location,
        importedAt: r.imported_at,
        records: r.records,
        skipped: r.skipped,
      }));
    const count = (sql: string): number => this.#db.prepare<[], { n: number }>(sql).get()?.n ?? 0;
    const pageCount = Number(this.#db.pragma('page_count', { simple: true }));
    const pageSize = Number(this.#db.pragma('page_size', { simple: true }));
    return {
      path: this.path,
      schemaVersion: Number(meta.get('schema_version') ?? NaN),
      builtAt: meta.get('built_at') ?? '',
      toolVersion: meta.get('tool_version') ?? '',
      sources,
      vulnerabilities: count('SELECT count(DISTINCT vuln) AS n FROM affected'),
      advisories: count('SELECT count(*) AS n FROM affected'),
      sizeBytes: pageCount * pageSize,
    };
  }

  releases(): readonly ReleaseInfo[] {
    return this.#db
      .prepare<[], ReleaseInfo>(
        `SELECT r.ecosystem AS ecosystem, r.release AS release, count(a.vuln) AS advisories
           FROM releases r LEFT JOIN affected a ON a.release = r.id
          GROUP BY r.id ORDER BY r.ecosystem, r.release`,
      )
      .all();
  }

  releaseId(ecosystem: string, release: string): number | undefined {
    return this.#release.get(ecosystem, release)?.id;
  }

  lookup(releaseId: number, sourcePackage: string): readonly AdvisoryRow[] {
    const out: AdvisoryRow[] = [];
    for (const [
      name,
      statusCode,
      fixed,
      introduced,
      severity,
      source,
      description,
      aliases,
    ] of this.#lookup.all(releaseId, sourcePackage)) {
      const status = decodeStatus(statusCode);
      if (status === undefined) continue;
      out.push({
        vulnerability: name,
        aliases: aliases === null || aliases === '' ? [] : aliases.split(' '),
        status,
        fixed,
        introduced,
        severity: decodeSeverity(severity),
        source: this.#sourceNames.get(source) ?? 'unknown',
        description,
      });
    }
    return out;
  }

  supportEnded(releaseId: number): readonly SupportEndedRow[] {
    return this.#db
      .prepare<[number], { package: string; last_version: string; ended: string; note: string }>(
        'SELECT package, last_version, ended, note FROM support_ended WHERE release = ?',
      )
      .all(releaseId)
      .map((r) => ({ package: r.package, lastVersion: r.last_version, ended: r.ended, note: r.note }));
  }

  repositoryCpes(repositories: readonly string[]): Map<string, string[]> {
    const statement = this.#db.prepare<[string], { cpe: string }>(
      'SELECT cpe FROM repository_cpes WHERE repository = ? ORDER BY cpe',
    );
    const out = new Map<string, string[]>();
    for (const repository of repositories) {
      const cpes = statement.all(repository).map((r) => r.cpe);
      if (cpes.length > 0) out.set(repository, cpes);
    }
    return out;
  }

  check(): readonly string[] {
    const rows = this.#db.pragma('quick_check') as { quick_check: string }[];
    return rows.map((r) => r.quick_check).filter((m) => m !== 'ok');
  }

  close(): void {
    this.#db.close();
  }
}

/**
 * Opens an existing database read-only; DB_MISSING when absent (`missingHint` replaces the default fix, for a
 * caller that has another way out), DB_CORRUPT when it is not a bulkhead DB.
 */
export function openVulnDb(path: string, options: { readonly missingHint?: string } = {}): VulnDb {
  if (!existsSync(path)) {
    throw new BulkheadError('DB_MISSING', `no vulnerability database at ${path}`, {
      subject: path,
      hint: options.missingHint ?? `${FETCH_HINT}; --db PATH chooses another file`,
    });
  }
  if (statSync(path).isDirectory()) throw isDirectory(path);
  let db: Sqlite | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    readSchemaVersion(db, path);
    return new SqliteVulnDb(path, db);
  } catch (error) {
    db?.close();
    if (error instanceof BulkheadError) throw error;
    const code = errnoCode(error);
    if (code === 'EACCES' || code === 'EISDIR') {
      throw new BulkheadError('INPUT_UNREADABLE', `cannot read ${path}`, { subject: path, cause: error });
    }
    throw corrupt(path, error instanceof Error ? error.message : String(error), error);
  }
}

/** Writes advisories into a database under construction; also the AdvisorySink importers use. */
export class DbWriter implements AdvisorySink {
  readonly #db: Sqlite;
  #source: number | undefined;
  readonly #releaseIds = new Map<string, number>();
  readonly #vulnIds = new Map<string, number>();
  /** Aliases per vulnerability id, written once at the end (finish) instead of row by row. */
  readonly #aliases = new Map<number, Set<string>>();
  readonly #dirty = new Set<number>();
  /** Vulnerabilities that got a description in this run: later advisories need not try again. */
  readonly #described = new Set<number>();
  readonly #stmts: {
    source: Database.Statement<[string, string, string, string], { id: number }>;
    dropAffected: Database.Statement<[number]>;
    dropEnded: Database.Statement<[number]>;
    dropCpes: Database.Statement<[number]>;
    cpe: Database.Statement<[string, string, number]>;
    finishSource: Database.Statement<[number, number, number]>;
    release: Database.Statement<[string, string], { id: number }>;
    vuln: Database.Statement<[string, string | null]>;
    describe: Database.Statement<[string, number]>;
    setAliases: Database.Statement<[string | null, number]>;
    affected: Database.Statement<
      [number, string, number, string, number, string | null, number | null, number]
    >;
    ended: Database.Statement<[number, string, string, string, string, number]>;
  };

  constructor(db: Sqlite) {
    this.#db = db;
    // a merge import starts from an existing database: load its names and aliases
    for (const row of db
      .prepare<[], { id: number; name: string; aliases: string | null }>(
        'SELECT id, name, aliases FROM vulns',
      )
      .all()) {
      this.#vulnIds.set(row.name, row.id);
      if (row.aliases !== null && row.aliases !== '')
        this.#aliases.set(row.id, new Set(row.aliases.split(' ')));
    }
    this.#stmts = {
      source: db.prepare(
        `INSERT INTO sources (name, format, location, imported_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET format = excluded.format, location = excluded.location,
           imported_at = excluded.imported_at
         RETURNING id`,
      ),
      dropAffected: db.prepare('DELETE FROM affected WHERE source = ?'),
      dropEnded: db.prepare('DELETE FROM support_ended WHERE source = ?'),
      dropCpes: db.prepare('DELETE FROM repository_cpes WHERE source = ?'),
      cpe: db.prepare('INSERT OR REPLACE INTO repository_cpes (repository, cpe, source) VALUES (?, ?, ?)'),
      finishSource: db.prepare('UPDATE sources SET records = ?, skipped = ? WHERE id = ?'),
      release: db.prepare(
        `INSERT INTO releases (ecosystem, release) VALUES (?, ?)
         ON CONFLICT (ecosystem, release) DO UPDATE SET ecosystem = excluded.ecosystem RETURNING id`,
      ),
      vuln: db.prepare('INSERT INTO vulns (name, description) VALUES (?, ?)'),
      describe: db.prepare('UPDATE vulns SET description = ? WHERE id = ? AND description IS NULL'),
      setAliases: db.prepare('UPDATE vulns SET aliases = ? WHERE id = ?'),
      affected: db.prepare(
        `INSERT OR REPLACE INTO affected (release, package, vuln, introduced, status, fixed, severity, source)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      ended: db.prepare(
        `INSERT OR REPLACE INTO support_ended (release, package, last_version, ended, note, source)
         VALUES (?, ?, ?, ?, ?, ?)`,
      ),
    };
  }

  #currentSource(): number {
    if (this.#source === undefined) throw new BulkheadError('INTERNAL', 'advisory written outside a source');
    return this.#source;
  }

  #releaseId(ecosystem: string, release: string): number {
    const key = `${ecosystem}\u0000${release}`;
    let id = this.#releaseIds.get(key);
    if (id === undefined) {
      id = this.#stmts.release.get(ecosystem, release)?.id;
      if (id === undefined) throw new BulkheadError('INTERNAL', 'release insert returned no id');
      this.#releaseIds.set(key, id);
    }
    return id;
  }

  #vulnId(name: string, description: string | null): number {
    let id = this.#vulnIds.get(name);
    if (id === undefined) {
      id = Number(this.#stmts.vuln.run(name, description).lastInsertRowid);
      this.#vulnIds.set(name, id);
    } else if (description !== null && !this.#described.has(id)) {
      this.#stmts.describe.run(description, id);
    }
    if (description !== null) this.#described.add(id);
    return id;
  }

  #addAliases(id: number, name: string, aliases: readonly string[]): void {
    if (aliases.length === 0) return;
    let set = this.#aliases.get(id);
    if (set === undefined) {
      set = new Set();
      this.#aliases.set(id, set);
    }
    for (const alias of aliases) {
      if (alias !== name && !alias.includes(' ') && !set.has(alias)) {
        set.add(alias);
        this.#dirty.add(id);
      }
    }
  }

  beginSource(name: string, format: string, location: string): void {
    const id = this.#stmts.source.get(name, format, location, new Date().toISOString())?.id;
    if (id === undefined) throw new BulkheadError('INTERNAL', 'source insert returned no id');
    this.#stmts.dropAffected.run(id);
    this.#stmts.dropEnded.run(id);
    this.#stmts.dropCpes.run(id);
    this.#source = id;
  }

  addAdvisory(r: AdvisoryRecord): void {
    const source = this.#currentSource();
    const vuln = this.#vulnId(r.vulnerability, r.description ?? null);
    this.#addAliases(vuln, r.vulnerability, r.aliases);
    this.#stmts.affected.run(
      this.#releaseId(r.ecosystem, r.release),
      r.package,
      vuln,
      r.introduced,
      encodeStatus(r.status),
      r.fixed,
      encodeSeverity(r.severity),
      source,
    );
  }

  addAliases(vulnerability: string, aliases: readonly string[]): void {
    this.#addAliases(this.#vulnId(vulnerability, null), vulnerability, aliases);
  }

  addSupportEnded(r: SupportEndedRecord): void {
    this.#stmts.ended.run(
      this.#releaseId(r.ecosystem, r.release),
      r.package,
      r.lastVersion,
      r.ended,
      r.note,
      this.#currentSource(),
    );
  }

  addRepositoryCpe(repository: string, cpe: string): void {
    this.#stmts.cpe.run(repository, cpe, this.#currentSource());
  }

  endSource(stats: ImportStats): void {
    this.#stmts.finishSource.run(stats.records, stats.skipped, this.#currentSource());
    this.#source = undefined;
  }

  /** Writes pending aliases; with `prune`, drops vulnerabilities no advisory refers to (aliases of CVEs absent). */
  finish(prune: boolean): void {
    this.#db.transaction(() => {
      for (const id of this.#dirty) {
        const set = this.#aliases.get(id);
        this.#stmts.setAliases.run(set === undefined ? null : [...set].sort().join(' '), id);
      }
      this.#dirty.clear();
      if (prune) this.#db.exec('DELETE FROM vulns WHERE id NOT IN (SELECT vuln FROM affected)');
    })();
  }

  /** Runs `fn` in one transaction (all or nothing). */
  transaction<T>(fn: () => T): T {
    return this.#db.transaction(fn)();
  }
}

export interface BuildOptions {
  /** Start from a copy of the existing database at the target (db import) instead of an empty one (db update). */
  readonly merge: boolean;
  readonly toolVersion: string;
  /** Drop vulnerabilities without advisories (CVE aliases from DSA/DLA lists for CVEs no feed covers). */
  readonly prune?: boolean;
  /**
   * With `merge`: existing sources to drop before `fill` runs (a partial `db update` replaces its own groups'
   * sources and keeps the rest). Receives each source's name and format.
   */
  readonly replace?: (name: string, format: string) => boolean;
  /** Called when another writer holds the database and this one waits for it. */
  readonly onWait?: (pid: number) => void;
}

/**
 * Builds a database next to `target` and renames it into place. `fill` receives a writer; when it throws, the
 * half-built file is removed and the existing database is left untouched.
 */
export async function buildVulnDb<T>(
  target: string,
  options: BuildOptions,
  fill: (writer: DbWriter) => Promise<T> | T,
): Promise<T> {
  const dir = dirname(target);
  checkDbTarget(target);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new BulkheadError('INPUT_UNREADABLE', `cannot create the database directory ${dir}`, {
      subject: dir,
      hint: 'choose a writable location with --db PATH',
      cause: error,
    });
  }
  // Copy, build and rename under one lock: a second writer starting from the same old file would lose this one's work.
  return withWriteLock(
    target,
    () => buildLocked(target, options, fill),
    options.onWait === undefined ? {} : { onWait: options.onWait },
  );
}

async function buildLocked<T>(
  target: string,
  options: BuildOptions,
  fill: (writer: DbWriter) => Promise<T> | T,
): Promise<T> {
  removeStaleTemps(target);
  const temp = tempName(target);
  let db: Sqlite | undefined;
  try {
    if (options.merge && existsSync(target)) {
      openVulnDb(target).close(); // refuses to merge into a corrupt or foreign file
      copyFileSync(target, temp);
      db = new Database(temp);
      if (options.replace !== undefined) dropSources(db, options.replace);
    } else {
      db = new Database(temp);
      db.pragma('page_size = 4096');
      db.pragma(`application_id = ${APPLICATION_ID}`);
      db.exec(SCHEMA_SQL);
      db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('schema_version', String(SCHEMA_VERSION));
    }
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    const writer = new DbWriter(db);
    const result = await fill(writer);
    writer.finish(options.prune === true);
    const meta = db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)');
    meta.run('built_at', new Date().toISOString());
    meta.run('tool_version', options.toolVersion);
    db.exec('VACUUM');
    db.close();
    db = undefined;
    const fd = openSync(temp, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, target);
    return result;
  } catch (error) {
    try {
      db?.close();
    } catch {
      // already failing; the original error is the one to report
    }
    rmSync(temp, { force: true });
    rmSync(`${temp}-journal`, { force: true });
    if (errnoCode(error) === 'EACCES' || errnoCode(error) === 'EROFS' || errnoCode(error) === 'EPERM')
      throw new BulkheadError(
        'INPUT_UNREADABLE',
        `cannot write the database in ${dirname(target)} (${errnoCode(error) ?? ''})`,
        {
          subject: dirname(target),
          hint: `make ${dirname(target)} writable for this user, or choose a writable location with --db PATH`,
          cause: error,
        },
      );
    throw error;
  }
}

/** Lists the sources of an existing database file (name, format), for a partial update's report. */
export function listSources(path: string): { name: string; format: string }[] {
  if (!existsSync(path)) return [];
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return db
      .prepare<[], { name: string; format: string }>('SELECT name, format FROM sources ORDER BY name')
      .all();
  } finally {
    db.close();
  }
}

function dropSources(db: Sqlite, replace: (name: string, format: string) => boolean): void {
  const rows = db
    .prepare<[], { id: number; name: string; format: string }>('SELECT id, name, format FROM sources')
    .all();
  db.transaction(() => {
    for (const row of rows) {
      if (!replace(row.name, row.format)) continue;
      for (const table of ['affected', 'support_ended', 'repository_cpes'])
        db.prepare(`DELETE FROM ${table} WHERE source = ?`).run(row.id);
      db.prepare('DELETE FROM sources WHERE id = ?').run(row.id);
    }
  })();
}
