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
import {
  importRedhatCsaf,
  importRepositoryCpes,
  looksLikeRedhatCsaf,
  looksLikeRepositoryCpes,
} from './importers/redhat-csaf.js';
import { isTar, isZstd, walkTar } from './tar-sync.js';
import { newStats, skip, type AdvisorySink, type ImportStats } from './types.js';
import { isZip, readZip } from './zip.js';

/** Largest feed file read into memory (the Debian tracker JSON is ~80 MB today). */
export const MAX_FEED_BYTES = 1024 * 1024 * 1024;
/** Largest single OSV record; bigger ones are skipped and counted (a "huge record"). */
export const MAX_RECORD_BYTES = 4 * 1024 * 1024;

export type FeedFormat =
  | 'osv-zip'
  | 'osv'
  | 'debian-tracker'
  | 'alpine-secdb'
  | 'debian-advisory-list'
  | 'debian-support-ended'
  | 'redhat-csaf'
  | 'redhat-csaf-archive'
  | 'redhat-repository-cpes';

/** Largest single document in a tar archive of CSAF files (Red Hat's kernel VEX files run to tens of MB). */
export const MAX_CSAF_BYTES = 128 * 1024 * 1024;

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
  | { format: 'debian-support-ended'; text: string }
  | { format: 'redhat-csaf'; doc: unknown }
  | { format: 'redhat-csaf-archive' }
  | { format: 'redhat-repository-cpes'; doc: unknown };

/** Recognises a feed by its content; throws InputError naming `location` when it is none we know. */
export function detectFeed(data: Buffer, location: string): Detected {
  if (isZip(data)) return { format: 'osv-zip' };
  // Red Hat ships its VEX files as csaf_vex_YYYY-MM-DD.tar.zst
  if (isZstd(data) || isTar(data)) return { format: 'redhat-csaf-archive' };
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
    if (looksLikeRedhatCsaf(doc)) return { format: 'redhat-csaf', doc };
    if (looksLikeRepositoryCpes(doc)) return { format: 'redhat-repository-cpes', doc };
    if (looksLikeDebianTracker(doc)) return { format: 'debian-tracker', doc };
    throw unrecognised(
      location,
      'JSON that is neither a Debian tracker dump, an Alpine secdb, an OSV record nor a Red Hat CSAF document',
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
    hint: 'import Debian tracker JSON, DSA/DLA lists, security-support-ended.debNN, Alpine secdb JSON/YAML, OSV records (JSON, directory or zip), Red Hat CSAF/VEX (JSON or .tar.zst) or repository-to-cpe.json',
  });
}

/** Imports feeds into `sink`; one instance per `db import` / `db update` run. */
export class FeedImporter {
  readonly report: ImportReport = { sources: [], ignored: [] };
  readonly #sink: AdvisorySink;
  readonly #looseOsv: { location: string; doc: unknown }[] = [];
  readonly #looseCsaf: { location: string; doc: unknown }[] = [];

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
      addRepositoryCpe: (repository, cpe) => {
        sink.addRepositoryCpe?.(repository, cpe);
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
        // OSV publishes every ecosystem as <ecosystem>/all.zip: name a downloaded one by its ecosystem, or the
        // Debian, Alpine and Ubuntu zips of one update would all be "osv:all" and replace each other.
        const url = /^https?:\/\//.test(location) ? new URL(location) : undefined;
        const parts = url?.pathname.split('/').filter(Boolean) ?? [];
        const name =
          url !== undefined && parts.at(-1) === 'all.zip' && parts.length >= 2
            ? `osv:${decodeURIComponent(parts.at(-2) ?? '')}`
            : `osv:${basename(location).replace(/\.zip$/, '')}`;
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
      case 'redhat-csaf':
        if (data.length > MAX_CSAF_BYTES) {
          this.#reject(
            location,
            `CSAF document larger than ${MAX_CSAF_BYTES} bytes`,
            options.inDirectory === true,
          );
          return;
        }
        this.#looseCsaf.push({ location, doc: detected.doc });
        return;
      case 'redhat-csaf-archive': {
        const name = `redhat-csaf:${basename(location).replace(/\.tar(\.zst)?$/, '')}`;
        const stats = newStats();
        sink.beginSource(name, 'redhat-csaf-archive', location);
        walkTar(data, location, MAX_CSAF_BYTES, {
          onSkip: (entry, reason) => {
            skip(stats, `${entry}: ${reason}`);
          },
          onEntry: (entry, content) => {
            if (!entry.endsWith('.json')) return;
            let doc: unknown;
            try {
              doc = JSON.parse(content.toString('utf8'));
            } catch (error) {
              skip(stats, `${entry}: ${error instanceof Error ? error.message : String(error)}`);
              return;
            }
            importRedhatCsaf(doc, sink, stats, entry);
          },
        });
        sink.endSource(stats);
        done(name, stats);
        return;
      }
      case 'redhat-repository-cpes':
        done('redhat-repository-cpes', importRepositoryCpes(detected.doc, sink, location));
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

  /** Writes OSV records (and Red Hat CSAF documents) collected from loose files as one source each. */
  flush(name = 'osv', label: (location: string) => string = (l) => l): void {
    if (this.#looseCsaf.length > 0) {
      const csafName = name.startsWith('osv') ? `redhat-csaf${name.slice(3)}` : `redhat-csaf:${name}`;
      const stats = newStats();
      const first = this.#looseCsaf[0]?.location ?? '';
      this.#sink.beginSource(csafName, 'redhat-csaf', first);
      for (const { location, doc } of this.#looseCsaf)
        importRedhatCsaf(doc, this.#sink, stats, label(location));
      this.#sink.endSource(stats);
      this.report.sources.push({ name: csafName, format: 'redhat-csaf', location: first, stats });
      this.#looseCsaf.length = 0;
    }
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
