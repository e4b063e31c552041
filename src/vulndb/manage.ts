// The `bulkhead db` driver: import feed files, update from the feeds, read a database's status — each one call that
// returns what the CLI renders, so the CLI opens no database and builds nothing itself (CONTRIBUTING.md "Rules").
import { BulkheadError } from '../shared/errors.js';
import { buildVulnDb, openVulnDb, type DbMetadata, type ReleaseInfo } from './db.js';
import { FeedImporter, type ImportReport } from './import.js';
import { updateVulnDb, type FeedUrl, type UpdateOptions, type UpdateReport } from './update.js';

export interface DbStatus {
  readonly metadata: DbMetadata;
  readonly releases: readonly ReleaseInfo[];
}

/** What an import or update did, and the metadata of the database it left. */
export interface DbChange<R extends ImportReport> {
  readonly report: R;
  readonly metadata: DbMetadata;
}

export interface ImportOptions {
  /** Start from an empty database instead of adding to the existing one. */
  readonly fresh: boolean;
  readonly toolVersion: string;
  /** Called when another writer holds the database and this import waits for it. */
  readonly onWait?: (pid: number) => void;
}

function metadataOf(path: string): DbMetadata {
  const db = openVulnDb(path);
  try {
    return db.metadata();
  } finally {
    db.close();
  }
}

/** Imports feed files or directories (format detected by content); INPUT_INVALID when none of them is a feed. */
export async function importFeedPaths(
  path: string,
  paths: readonly string[],
  options: ImportOptions,
): Promise<DbChange<ImportReport>> {
  const report = await buildVulnDb(
    path,
    {
      merge: !options.fresh,
      toolVersion: options.toolVersion,
      ...(options.onWait === undefined ? {} : { onWait: options.onWait }),
    },
    (writer) =>
      writer.transaction(() => {
        const importer = new FeedImporter(writer);
        for (const p of paths) importer.addPath(p);
        importer.flush('osv');
        return importer.report;
      }),
  );
  if (report.sources.length === 0) {
    throw new BulkheadError('INPUT_INVALID', `no vulnerability feed found in ${paths.join(', ')}`, {
      hint: 'point db import at feed files or directories holding them; the database was rebuilt unchanged',
    });
  }
  return { report, metadata: metadataOf(path) };
}

/** Downloads the feeds and installs a new database (updateVulnDb), then reads the result's metadata. */
export async function updateFeeds(
  path: string,
  feeds: readonly FeedUrl[],
  options: UpdateOptions,
): Promise<DbChange<UpdateReport>> {
  const report = await updateVulnDb(path, feeds, options);
  return { report, metadata: metadataOf(path) };
}

/** The metadata and releases of a database after SQLite's quick_check; DB_CORRUPT when the check finds damage. */
export function readDbStatus(path: string): DbStatus {
  const db = openVulnDb(path);
  try {
    const problems = db.check();
    if (problems.length > 0) {
      throw new BulkheadError('DB_CORRUPT', `${path} is damaged: ${problems.slice(0, 3).join('; ')}`, {
        subject: path,
        hint: 'delete it and run `bulkhead db update`',
      });
    }
    return { metadata: db.metadata(), releases: db.releases() };
  } finally {
    db.close();
  }
}
