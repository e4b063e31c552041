// `bulkhead db update|import|status`: manages the vulnerability database (one SQLite file, default under the user's
// cache dir). Update and import build a new file next to the target and rename it into place; status reads it.
import { basename } from 'node:path';
import { Option, type Command } from 'commander';
import { TOOL_VERSION } from '../../shared/version.js';
import { defaultDbPath, type DbMetadata, type ReleaseInfo } from '../../vulndb/db.js';
import type { ImportReport } from '../../vulndb/import.js';
import { importFeedPaths, readDbStatus, updateFeeds, type DbChange } from '../../vulndb/manage.js';
import {
  resolveFeeds,
  SOURCE_GROUPS,
  type DownloadProgress,
  type SourceGroup,
  type UpdateReport,
} from '../../vulndb/update.js';
import { UsageError } from '../../shared/errors.js';
import { renderColumns } from '../../shared/columns.js';
import { EXIT_OK, type CliIO, type CommandRunner } from '../io.js';
import { createProgress, type ProgressTask } from '../progress.js';

/** A database older than this is reported as stale by `db status`. */
const STALE_AFTER_DAYS = 7;

function dbPath(raw: unknown, io: CliIO): string {
  return typeof raw === 'string' && raw !== '' ? raw : defaultDbPath(io.env);
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

function renderImport(report: ImportReport, path: string, meta: DbMetadata, verb: string): string {
  const lines = [
    `${verb} ${path} (${formatBytes(meta.sizeBytes)}): ${meta.advisories} advisories, ${meta.vulnerabilities} vulnerabilities`,
  ];
  lines.push(
    renderColumns(
      ['SOURCE', 'FORMAT', 'RECORDS', 'SKIPPED', 'NOT-AFFECTED'],
      report.sources.map((s) => [
        s.name,
        s.format,
        String(s.stats.records),
        String(s.stats.skipped),
        String(s.stats.notAffected),
      ]),
      '  ',
      ['left', 'left', 'right', 'right', 'right'],
    ),
  );
  if (report.ignored.length > 0)
    lines.push(`  ${report.ignored.length} file(s) were not vulnerability feeds and were ignored`);
  return `${lines.join('\n')}\n`;
}

function warnSkips(report: ImportReport, io: CliIO): void {
  for (const s of report.sources) {
    if (s.stats.skipped === 0) continue;
    io.stderr(
      `bulkhead: warning: ${s.name}: skipped ${s.stats.skipped} bad record(s), e.g. ${s.stats.reasons.slice(0, 3).join('; ')}\n`,
    );
  }
  for (const i of report.ignored) io.stderr(`bulkhead: warning: ignored ${i.location}: ${i.reason}\n`);
}

const BAR_WIDTH = 20;

function bar(fraction: number): string {
  const full = Math.round(fraction * BAR_WIDTH);
  return `[${'█'.repeat(full)}${'░'.repeat(BAR_WIDTH - full)}]`;
}

/** One progress bar per feed on a terminal (kept when done), "fetched URL (size)" lines otherwise. */
function downloadProgress(
  io: CliIO,
  quiet: boolean,
): { update: (p: DownloadProgress) => void; stop: () => void } {
  const progress = createProgress(io, { quiet, offTerminal: 'final', intervalMs: 100, keep: true });
  const tasks = new Map<string, ProgressTask>();
  return {
    update: (p) => {
      let task = tasks.get(p.url);
      if (task === undefined) {
        task = progress.task();
        tasks.set(p.url, task);
      }
      const name = basename(new URL(p.url).pathname).slice(-28);
      const size = formatBytes(p.received);
      // a terminal keeps one bar per feed ("name [████░░] 60% 1.2 MiB"); other outputs get one line per feed
      if (p.done) task.done(io.isTTY ? `${name} ${bar(1)} 100% ${size}` : `fetched ${p.url} (${size})`);
      else if (p.total === undefined) task.update(`${name} ${size}`);
      else {
        const fraction = Math.min(p.received / Math.max(p.total, 1), 1);
        task.update(`${name} ${bar(fraction)} ${Math.floor(100 * fraction)}% ${size}`);
      }
    },
    stop: () => {
      progress.stop();
    },
  };
}

function renderStatus(meta: DbMetadata, releases: readonly ReleaseInfo[], now: Date): string {
  const built = new Date(meta.builtAt);
  const ageDays = Number.isNaN(built.getTime()) ? undefined : (now.getTime() - built.getTime()) / 86_400_000;
  const age =
    ageDays === undefined
      ? 'unknown age'
      : `${ageDays < 1 ? `${Math.round(ageDays * 24)} hours` : `${Math.floor(ageDays)} days`} old${ageDays > STALE_AFTER_DAYS ? ` (stale: run \`bulkhead db update\`)` : ''}`;
  const lines = [
    `database   ${meta.path}`,
    `size       ${formatBytes(meta.sizeBytes)}, schema ${meta.schemaVersion}`,
    `built      ${meta.builtAt} by bulkhead ${meta.toolVersion}, ${age}`,
    `contents   ${meta.advisories} advisories, ${meta.vulnerabilities} vulnerabilities`,
    'releases',
  ];
  const byEco = new Map<string, string[]>();
  for (const r of releases) {
    if (r.advisories === 0) continue;
    byEco.set(r.ecosystem, [...(byEco.get(r.ecosystem) ?? []), `${r.release} (${r.advisories})`]);
  }
  const releaseRows: string[][] = [];
  for (const [eco, list] of byEco) {
    const sorted = [...list].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    releaseRows.push([eco, sorted.join(', ')]);
  }
  if (releaseRows.length > 0)
    lines.push(renderColumns(['ECOSYSTEM', 'RELEASES (ADVISORIES)'], releaseRows, '  '));
  lines.push('sources');
  lines.push(
    renderColumns(
      ['SOURCE', 'RECORDS', 'SKIPPED', 'IMPORTED', 'LOCATION'],
      meta.sources.map((s) => [s.name, String(s.records), String(s.skipped), s.importedAt, s.location]),
      '  ',
      ['left', 'right', 'right'],
    ),
  );
  return `${lines.join('\n')}\n`;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export function registerDb(program: Command, run: (runner: CommandRunner) => Promise<void>): void {
  const db = program.command('db').description('manage the vulnerability database used by `bulkhead scan`');
  const dbOption = (): Option =>
    new Option(
      '--db <path>',
      'database file (default: $XDG_CACHE_HOME/bulkhead/vulndb.sqlite, else ~/.cache/...)',
    );

  db.command('update')
    .description(
      'download the advisory feeds and rebuild the database (atomically: a failure keeps the old one)',
    )
    .addOption(dbOption())
    .option(
      '--source <name=url>',
      `replace a source group's feeds with this URL (repeatable; groups: ${SOURCE_GROUPS.join(', ')}; http(s):// or file://)`,
      collect,
    )
    .option('--only <groups>', `comma-separated source groups to fetch (default: ${SOURCE_GROUPS.join(',')})`)
    .option('--timeout <seconds>', 'per-download timeout', '300')
    .option(
      '--fresh',
      'with --only: start from an empty database (drops the other groups) instead of keeping them',
      false,
    )
    .option('-q, --quiet', 'no progress output', false)
    .action(
      (flags: {
        db?: string;
        source?: string[];
        only?: string;
        timeout: string;
        quiet: boolean;
        fresh: boolean;
      }) =>
        run(async (io) => {
          const path = dbPath(flags.db, io);
          const timeout = Number(flags.timeout);
          if (!Number.isFinite(timeout) || timeout <= 0) {
            throw new UsageError(`bad --timeout ${flags.timeout}`, {
              hint: 'give a number of seconds, e.g. --timeout 600',
            });
          }
          const only = flags.only
            ?.split(',')
            .map((s) => s.trim())
            .filter((s) => s !== '');
          const feeds = resolveFeeds(flags.source ?? [], only);
          const groups = only === undefined || only.length === 0 ? SOURCE_GROUPS : (only as SourceGroup[]);
          const progress = downloadProgress(io, flags.quiet);
          let change: DbChange<UpdateReport>;
          try {
            change = await updateFeeds(path, feeds, {
              toolVersion: TOOL_VERSION,
              groups,
              fresh: flags.fresh,
              onWait: (pid) => {
                if (!flags.quiet) io.stderr(`bulkhead: waiting for another writer of ${path} (pid ${pid})\n`);
              },
              timeoutMs: timeout * 1000,
              onProgress: progress.update,
              onSkip: (url, reason) => {
                if (!flags.quiet) io.stderr(`skipped ${url}: ${reason}\n`);
              },
            });
          } finally {
            progress.stop();
          }
          const { report } = change;
          io.stdout(renderImport(report, path, change.metadata, 'updated'));
          if (report.replaced.length > 0 || report.kept.length > 0)
            io.stdout(
              `replaced ${report.replaced.length === 0 ? 'no existing source' : report.replaced.join(', ')} (${groups.join(', ')}); kept ${report.kept.length === 0 ? 'no other source' : report.kept.join(', ')}\n`,
            );
          if (!flags.quiet) warnSkips(report, io);
          return EXIT_OK;
        }),
    );

  db.command('import')
    .description('import feed files or directories (format detected by content) into the database')
    .argument(
      '<paths...>',
      'Debian tracker JSON, DSA/DLA list, security-support-ended.debNN, Alpine secdb JSON/YAML, OSV JSON, directory or zip',
    )
    .addOption(dbOption())
    .option('--fresh', 'start from an empty database instead of adding to the existing one', false)
    .option('-q, --quiet', 'no warnings about skipped records', false)
    .action((paths: string[], flags: { db?: string; fresh: boolean; quiet: boolean }) =>
      run(async (io) => {
        const path = dbPath(flags.db, io);
        const onWait = (pid: number): void => {
          if (!flags.quiet) io.stderr(`bulkhead: waiting for another writer of ${path} (pid ${pid})\n`);
        };
        const { report, metadata } = await importFeedPaths(path, paths, {
          fresh: flags.fresh,
          toolVersion: TOOL_VERSION,
          onWait,
        });
        io.stdout(renderImport(report, path, metadata, 'imported into'));
        if (!flags.quiet) warnSkips(report, io);
        return EXIT_OK;
      }),
    );

  db.command('status')
    .description('show what the database holds, where it came from and how old it is')
    .addOption(dbOption())
    .option('--json', 'print the metadata as JSON', false)
    .action((flags: { db?: string; json: boolean }) =>
      run((io) => {
        const path = dbPath(flags.db, io);
        const { metadata, releases } = readDbStatus(path);
        if (flags.json) io.stdout(`${JSON.stringify({ ...metadata, releases }, null, 2)}\n`);
        else io.stdout(renderStatus(metadata, releases, new Date()));
        return Promise.resolve(EXIT_OK);
      }),
    );
}
