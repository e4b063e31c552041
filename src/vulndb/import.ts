// Feeds in, advisories out: recognises each input by content (zip, JSON, YAML, advisory list, support list),
// never by file name, and hands it to the matching importer. Bad records are skipped and counted; unreadable or
// unrecognised inputs are errors for a named file and counted skips inside a directory.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { BulkheadError, errnoCode, InputError } from '../shared/errors.js';
import {
  importAdvisoryList,
  importSupportEnded,
  looksLikeAdvisoryList,
  looksLikeSupportEnded,
} from './importers/debian-lists.js';
import { importDebianTracker, looksLikeDebianTracker } from './importers/debian-tracker.js';
import { importSecdb, looksLikeSecdb } from './importers/alpine-secdb.js';
import { importOsvRecord, looksLikeOsv } from './importers/osv.js';
import { newStats, skip, type AdvisorySink, type ImportStats } from './types.js';
import { isZip, readZip } from './zip.js';

/** Largest feed file read into memory (the Debian tracker JSON is ~80 MB today). */
export const MAX_FEED_BYTES = 1024 * 1024 * 1024;
/** Largest single OSV record; bigger ones are skipped and counted (a "huge record"). */
export const MAX_RECORD_BYTES = 4 * 1024 * 1024;

export type FeedFormat =
  'osv-zip' | 'osv' | 'debian-tracker' | 'alpine-secdb' | 'debian-advisory-list' | 'debian-support-ended';

export interface SourceResult {
  readonly name: string;
  readonly format: FeedFormat;
  readonly location: string;
  readonly stats: ImportStats;
}

export interface ImportReport {
  readonly sources: SourceResult[];
  /** Inputs that were not a recognised feed (only inside directories), with the reason. */
  readonly ignored: { readonly location: string; readonly reason: string }[];
}

type Detected =
  | { format: 'osv-zip' }
  | { format: 'osv'; doc: unknown }
  | { format: 'debian-tracker'; doc: unknown }
  | { format: 'alpine-secdb'; doc: unknown }
  | { format: 'debian-advisory-list'; text: string }
  | { format: 'debian-support-ended'; text: string };

/** Recognises a feed by its content; throws InputError naming `location` when it is none we know. */
export function detectFeed(data: Buffer, location: string): Detected {
  if (isZip(data)) return { format: 'osv-zip' };
  const text = data.toString('utf8').replace(/^\uFEFF/, '');
  // advisory lists start with "[01 Aug 2002] DSA-141 ...": check them before trying JSON
  if (looksLikeAdvisoryList(text)) return { format: 'debian-advisory-list', text };
  if (looksLikeSupportEnded(text)) return { format: 'debian-support-ended', text };
  const head = text.trimStart().slice(0, 1);
  if (head === '{' || head === '[') {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (error) {
      throw new InputError(
        location,
        `malformed JSON (${error instanceof Error ? error.message : String(error)})`,
        {
          hint: 'the file is damaged or truncated: download it again',
        },
      );
    }
    if (looksLikeOsv(doc) || (Array.isArray(doc) && doc.length > 0 && doc.every(looksLikeOsv)))
      return { format: 'osv', doc };
    if (looksLikeSecdb(doc)) return { format: 'alpine-secdb', doc };
    if (looksLikeDebianTracker(doc)) return { format: 'debian-tracker', doc };
    throw unrecognised(
      location,
      'JSON that is neither a Debian tracker dump, an Alpine secdb nor an OSV record',
    );
  }
  if (/^(---\s*$|[a-z]+:)/m.test(text.slice(0, 200))) {
    let doc: unknown;
    try {
      // failsafe keeps every scalar a string: "2.10-r0" must not become a number, nor "1.10" 1.1
      doc = parseYaml(text, { schema: 'failsafe', maxAliasCount: 100 });
    } catch (error) {
      throw new InputError(
        location,
        `malformed YAML (${error instanceof Error ? error.message : String(error)})`,
      );
    }
    if (looksLikeSecdb(doc)) return { format: 'alpine-secdb', doc };
  }
  throw unrecognised(location, 'content matches no supported feed format');
}

/** "…/bookworm-derived.json" -> "bookworm-derived"; "https://host/tracker/data/json" -> "json". */
function feedLabel(location: string): string {
  return basename(location).replace(/\.(json|ya?ml)$/, '') || location;
}

function unrecognised(location: string, why: string): InputError {
  return new InputError(location, `not a vulnerability feed: ${why}`, {
    hint: 'import Debian tracker JSON, DSA/DLA lists, security-support-ended.debNN, Alpine secdb JSON/YAML, or OSV records (JSON, directory or zip)',
  });
}

/** Imports feeds into `sink`; one instance per `db import` / `db update` run. */
export class FeedImporter {
  readonly report: ImportReport = { sources: [], ignored: [] };
  readonly #sink: AdvisorySink;
  readonly #looseOsv: { location: string; doc: unknown }[] = [];

  #lastSource = '';

  constructor(sink: AdvisorySink) {
    // remember the name each importer gives its source, for the report
    this.#sink = {
      beginSource: (name, format, location) => {
        this.#lastSource = name;
        sink.beginSource(name, format, location);
      },
      addAdvisory: (record) => {
        sink.addAdvisory(record);
      },
      addAliases: (vulnerability, aliases) => {
        sink.addAliases(vulnerability, aliases);
      },
      addSupportEnded: (record) => {
        sink.addSupportEnded(record);
      },
      endSource: (stats) => {
        sink.endSource(stats);
      },
    };
  }

  /** Imports one buffer; `name` is used for the source name and, for support lists, the release ("...deb12"). */
  addBuffer(data: Buffer, location: string, options: { inDirectory?: boolean } = {}): void {
    if (data.length > MAX_FEED_BYTES) {
      this.#reject(location, `larger than ${MAX_FEED_BYTES} bytes`, options.inDirectory === true);
      return;
    }
    let detected: Detected;
    try {
      detected = detectFeed(data, location);
    } catch (error) {
      if (options.inDirectory === true && error instanceof InputError) {
        this.report.ignored.push({ location, reason: error.message });
        return;
      }
      throw error;
    }
    const sink = this.#sink;
    const done = (_kind: string, stats: ImportStats): void => {
      this.report.sources.push({ name: this.#lastSource, format: detected.format, location, stats });
    };
    switch (detected.format) {
      case 'osv-zip': {
        const name = `osv:${basename(location).replace(/\.zip$/, '')}`;
        const stats = newStats();
        sink.beginSource(name, 'osv-zip', location);
        for (const entry of readZip(data, location, MAX_RECORD_BYTES)) {
          if (entry.name.endsWith('/')) continue;
          if (entry.problem !== undefined) {
            skip(stats, `${entry.name.slice(0, 100)}: ${entry.problem}`);
            continue;
          }
          if (!entry.name.endsWith('.json')) continue;
          let doc: unknown;
          try {
            doc = JSON.parse(entry.read().toString('utf8'));
          } catch (error) {
            skip(stats, `${entry.name}: ${error instanceof Error ? error.message : String(error)}`);
            continue;
          }
          importOsvRecord(doc, sink, stats, entry.name);
        }
        sink.endSource(stats);
        done(name, stats);
        return;
      }
      case 'osv':
        if (data.length > MAX_RECORD_BYTES) {
          this.#reject(
            location,
            `OSV record larger than ${MAX_RECORD_BYTES} bytes`,
            options.inDirectory === true,
          );
          return;
        }
        for (const doc of Array.isArray(detected.doc) ? detected.doc : [detected.doc])
          this.#looseOsv.push({ location, doc });
        return;
      case 'debian-tracker':
        done(
          'debian-tracker',
          importDebianTracker(detected.doc, sink, location, `debian-tracker:${feedLabel(location)}`),
        );
        return;
      case 'alpine-secdb': {
        const stats = importSecdb(detected.doc, sink, location);
        done(`secdb ${basename(location)}`, stats);
        return;
      }
      case 'debian-advisory-list':
        done('debian-advisory-list', importAdvisoryList(detected.text, sink, location));
        return;
      case 'debian-support-ended': {
        const release = /\.deb(\d+)$/.exec(location)?.[1];
        if (release === undefined) {
          this.#reject(
            location,
            'a security-support-ended file must be named security-support-ended.debNN to tell its release',
            options.inDirectory === true,
          );
          return;
        }
        done(`debian-support-ended ${release}`, importSupportEnded(detected.text, release, sink, location));
        return;
      }
      default:
        detected satisfies never;
    }
  }

  #reject(location: string, reason: string, inDirectory: boolean): void {
    if (inDirectory) this.report.ignored.push({ location, reason });
    else throw new InputError(location, reason);
  }

  /** Imports a file or, recursively, a directory (files in name order; dot files skipped). */
  addPath(path: string): void {
    let isDir: boolean;
    try {
      isDir = statSync(path).isDirectory();
    } catch (error) {
      throw new BulkheadError('INPUT_UNREADABLE', `cannot read ${path} (${errnoCode(error) ?? 'error'})`, {
        subject: path,
        hint: 'check the path given to bulkhead db import',
        cause: error,
      });
    }
    if (!isDir) {
      this.addBuffer(readFileSync(path), path);
      return;
    }
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
        a.name.localeCompare(b.name),
      )) {
        if (entry.name.startsWith('.')) continue;
        const full = join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (entry.isFile()) {
          const size = statSync(full).size;
          if (size > MAX_FEED_BYTES) this.report.ignored.push({ location: full, reason: 'too large' });
          else this.addBuffer(readFileSync(full), full, { inDirectory: true });
        }
      }
    };
    walk(path);
    this.flush(`osv:${basename(path)}`, (location) => relative(path, location));
  }

  /** Writes OSV records collected from loose files as one source. */
  flush(name = 'osv', label: (location: string) => string = (l) => l): void {
    if (this.#looseOsv.length === 0) return;
    const stats = newStats();
    const first = this.#looseOsv[0]?.location ?? '';
    this.#sink.beginSource(name, 'osv', first);
    for (const { location, doc } of this.#looseOsv) importOsvRecord(doc, this.#sink, stats, label(location));
    this.#sink.endSource(stats);
    this.report.sources.push({ name, format: 'osv', location: first, stats });
    this.#looseOsv.length = 0;
  }
}
