// `bulkhead watch`: runtime protection for the containers of this host (learn / alert / kill / deny), and its
// events, profiles, status and systemd unit. Flags -> src/watch (and its renderers) -> src/report SARIF -> exit code.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { connectEngine } from '../../engine/client.js';
import { renderSarif } from '../../report/sarif.js';
import { networkSectionLines } from '../../net/profile.js';
import { isNotable, listEvents } from '../../watch/events.js';
import { eventsReport, renderEventsJson, renderEventsTable, renderWatchStatus } from '../../watch/render.js';
import { UsageError } from '../../shared/errors.js';
import { bulkheadCommand } from '../../shared/self-binary.js';
import { parseDuration } from '../../shared/duration.js';
import { resolveProfiles, type ProfileTarget } from '../../watch/select.js';
import {
  DEFAULT_PROFILE_DIR,
  diffProfiles,
  promoteToEnforced,
  WATCH_MODES,
  type WatchMode,
} from '../../watch/profile.js';
import {
  diffHostProfiles,
  HOST_TARGET,
  hostProfileFile,
  loadHostProfile,
  promoteHostProfile,
  updateHostProfileFile,
} from '../../watch/host-profile.js';
import { readWatchStatus } from '../../watch/status.js';
import { DEFAULT_EVENT_DB, EventStore } from '../../watch/store.js';
import { watchUnit } from '../../watch/install.js';
import { RUNSC_TRACE_OBSERVED, Watcher } from '../../watch/watcher.js';
import { registerWatchNetCommands } from './watch-net.js';
import { EXIT_FINDINGS, EXIT_OK, type CliIO, type CommandRunner } from '../io.js';
import { onStopSignal } from '../signals.js';

const DEFAULT_PROFILES = DEFAULT_PROFILE_DIR;
const DEFAULT_DB = DEFAULT_EVENT_DB;

function str(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}

function guardOption(raw: string): 'auto' | 'runtimes' | 'none' | string[] {
  if (raw === 'auto' || raw === 'runtimes' || raw === 'none') return raw;
  return raw.split(',').filter(Boolean);
}

async function serve(opts: Record<string, unknown>, io: CliIO): Promise<number> {
  const mode = str(opts['mode'], 'alert') as WatchMode;
  const store = new EventStore(resolve(io.cwd, str(opts['db'], DEFAULT_DB)), {
    retentionRows: Number(str(opts['retention'], '1000000')),
  });
  if (opts['json'] === true)
    store.onCommit((batch) => {
      io.stdout(batch.map((e) => `${JSON.stringify(e)}\n`).join(''));
    });
  const { docker } = connectEngine({
    host: typeof opts['dockerHost'] === 'string' ? opts['dockerHost'] : undefined,
    env: io.env,
  });
  const watchdogMs = Number(str(opts['watchdogMs'], '2000'));
  if (!Number.isInteger(watchdogMs) || watchdogMs < 50)
    throw new UsageError(`--watchdog-ms must be an integer >= 50, got ${String(opts['watchdogMs'])}`);
  const watcher = new Watcher({
    docker,
    mode,
    profilesDir: resolve(io.cwd, str(opts['profiles'], DEFAULT_PROFILES)),
    store,
    containers: Array.isArray(opts['container']) ? opts['container'].map(String) : [],
    guard: guardOption(str(opts['guard'], 'auto')),
    watchdogMs,
    learnFlushMs: Number(str(opts['learnFlushMs'], '5000')),
    runscTrace: opts['runscTrace'] !== false,
    log: (line) => {
      io.stderr(`${line}\n`);
    },
    env: io.env,
    ...(opts['host'] === true
      ? {
          host: {
            paths:
              typeof opts['hostPaths'] === 'string'
                ? opts['hostPaths']
                    .split(',')
                    .filter(Boolean)
                    .map((p) => resolve(io.cwd, p))
                : undefined,
            packageRoot: resolve(io.cwd, str(opts['packageRoot'], '/')),
          },
        }
      : {}),
  });
  const signal = onStopSignal();
  try {
    await watcher.start();
    const s = watcher.status();
    io.stderr(
      `bulkhead watch: ${mode} mode, ${s.containers.length} container(s) (${s.containers.map((c) => `${c.name}${c.observable ? (c.reason === RUNSC_TRACE_OBSERVED ? ' (runsc trace, alert only)' : '') : ' NOT OBSERVABLE'}`).join(', ') || 'none yet'}); process tree: ${s.sources.proc}; exec gate: ${s.sources.gate}; ${s.guarded.length} runtime binaries guarded${s.host === undefined ? '' : `; host: ${s.host.mode} on ${s.host.filesystems.map((f) => f.path).join(', ')}`}\n`,
    );
    await signal.received;
  } finally {
    signal.dispose();
    await watcher.stop();
    store.close();
  }
  io.stderr('bulkhead watch: stopped, every mark removed\n');
  return EXIT_OK;
}

/** watch's events and the network stage's (`net_events` of the same file), one list in time order. */
function events(opts: Record<string, unknown>, io: CliIO): number {
  const since =
    typeof opts['since'] === 'string'
      ? new Date(Date.now() - parseDuration(opts['since'], '--since', { allowZero: true }))
      : undefined;
  const limit = Number(str(opts['limit'], '1000'));
  if (!Number.isInteger(limit) || limit <= 0)
    throw new UsageError(`--limit must be a positive integer, got ${String(opts['limit'])}`, {
      hint: 'e.g. --limit 1000',
    });
  const list = listEvents(resolve(io.cwd, str(opts['db'], DEFAULT_DB)), {
    ...(since === undefined ? {} : { since }),
    ...(typeof opts['container'] === 'string' ? { container: opts['container'] } : {}),
    limit,
    all: opts['all'] === true,
  });
  const format = str(opts['format'], 'table');
  io.stdout(
    format === 'json'
      ? renderEventsJson(list)
      : format === 'sarif'
        ? renderSarif(eventsReport(list))
        : renderEventsTable(list),
  );
  return list.some(isNotable) ? EXIT_FINDINGS : EXIT_OK;
}

async function profile(
  action: string,
  target: string | undefined,
  opts: Record<string, unknown>,
  io: CliIO,
): Promise<number> {
  const dir = resolve(io.cwd, str(opts['profiles'], DEFAULT_PROFILES));
  if (target === HOST_TARGET && opts['all'] !== true) return hostProfile(action, dir, io);
  const wanted: ProfileTarget = opts['all'] === true ? { all: true } : { name: target ?? '' };
  if (opts['all'] !== true && (target === undefined || target === ''))
    throw new UsageError(`watch profile ${action} needs NAME, DIGEST or --all`, {
      hint: 'e.g. bulkhead watch profile diff web',
    });
  const docker =
    opts['dockerHost'] === 'none'
      ? undefined
      : connectEngine({
          host: typeof opts['dockerHost'] === 'string' ? opts['dockerHost'] : undefined,
          env: io.env,
        }).docker;
  const found = await resolveProfiles(dir, wanted, docker);
  // --all includes the host profile of watch --host when there is one
  if (
    opts['all'] === true &&
    (existsSync(hostProfileFile(dir, 'learned')) || existsSync(hostProfileFile(dir, 'enforced')))
  )
    hostProfile(action, dir, io);
  for (const p of found) {
    const title = `${p.names[0] ?? p.digest} (${p.digest})`;
    if (action === 'show') {
      const shown = p.enforced ?? p.learned;
      io.stdout(
        `# ${title}: ${p.enforced === undefined ? 'learned, not enforced' : `enforced v${p.enforced.version}`}\n`,
      );
      if (shown === undefined) continue;
      if (shown.executables === undefined)
        io.stdout('executables: none (no exec profile: no exec is judged against one)\n');
      for (const e of shown.executables ?? [])
        io.stdout(
          `${e.path}  exe ${e.exe}  users ${e.users.join(',')}  parents ${e.parents.join(',') || '-'}  seen ${e.count}${e.sha256 === undefined ? '' : `  sha256 ${e.sha256.slice(0, 16)}`}\n`,
        );
      if (shown.learning !== undefined)
        io.stdout(
          `learning ${shown.learning.started} .. ${shown.learning.updated}, ${shown.learning.events} events\n`,
        );
      io.stdout(
        networkSectionLines(shown.network)
          .map((line) => `${line}\n`)
          .join(''),
      );
      continue;
    }
    if (p.learned === undefined) {
      io.stdout(`# ${title}: nothing learned yet\n`);
      continue;
    }
    const changes = diffProfiles(p.enforced, p.learned);
    io.stdout(
      `# ${title}: ${changes.length} change(s) from ${p.enforced === undefined ? 'no profile' : `v${p.enforced.version}`}\n`,
    );
    for (const c of changes)
      io.stdout(
        `${c.change === 'added' ? '+' : c.change === 'removed' ? '-' : '~'} ${c.path}${c.details.length === 0 ? '' : `  ${c.details.join('; ')}`}\n`,
      );
    if (action === 'promote') {
      const promoted = promoteToEnforced(dir, p.digest, p.learned);
      io.stdout(`promoted to v${promoted.profile?.version ?? '-'}: ${promoted.file}\n`);
      if (promoted.networkChanged)
        io.stdout(
          'network section changed: a running `bulkhead watch net` re-reads it at once; in deny mode it rebuilds the tables of this image\'s running containers (its event: "rebuilt for profile vN")\n',
        );
    }
  }
  return EXIT_OK;
}

/** `watch profile show|diff|promote host`: the host profile of watch --host (host.yaml, host.learned.yaml). */
function hostProfile(action: string, dir: string, io: CliIO): number {
  const enforcedFile = hostProfileFile(dir, 'enforced');
  const learnedFile = hostProfileFile(dir, 'learned');
  const enforced = existsSync(enforcedFile) ? loadHostProfile(enforcedFile) : undefined;
  const learned = existsSync(learnedFile) ? loadHostProfile(learnedFile) : undefined;
  const title = `host ${(enforced ?? learned)?.host.name ?? ''}`.trim();
  if (action === 'show') {
    const shown = enforced ?? learned;
    if (shown === undefined) {
      io.stdout(`# ${title}: no host profile in ${dir} (learn one: bulkhead watch --host --mode learn)\n`);
      return EXIT_OK;
    }
    io.stdout(
      `# ${title}: ${enforced === undefined ? 'learned, not enforced' : `enforced v${enforced.version}`}\n`,
    );
    for (const e of shown.executables)
      io.stdout(
        `${e.path}  users ${e.users.join(',') || '-'}  parents ${e.parents.join(',') || '-'}  seen ${e.count}${e.sha256 === undefined ? '' : `  sha256 ${e.sha256.slice(0, 16)}`}  ${e.package === undefined ? 'no package' : `package ${e.package.name}${e.package.verified === false ? ' (DIGEST MISMATCH)' : e.package.verified === true ? ' (verified)' : ''}`}${e.required === undefined ? '' : `  required: ${e.required}`}\n`,
      );
    if (shown.learning !== undefined)
      io.stdout(
        `learning ${shown.learning.started} .. ${shown.learning.updated}, ${shown.learning.events} events\n`,
      );
    return EXIT_OK;
  }
  if (learned === undefined) {
    io.stdout(`# ${title}: nothing learned yet (${learnedFile})\n`);
    return EXIT_OK;
  }
  const changes = diffHostProfiles(enforced, learned);
  io.stdout(
    `# ${title}: ${changes.length} change(s) from ${enforced === undefined ? 'no profile' : `v${enforced.version}`}\n`,
  );
  for (const c of changes)
    io.stdout(
      `${c.change === 'added' ? '+' : c.change === 'removed' ? '-' : '~'} ${c.path}${c.details.length === 0 ? '' : `  ${c.details.join('; ')}`}\n`,
    );
  if (action === 'promote') {
    const next = updateHostProfileFile(enforcedFile, (current) => promoteHostProfile(current, learned));
    io.stdout(`promoted to v${next?.version ?? '-'}: ${enforcedFile}\n`);
  }
  return EXIT_OK;
}

function status(opts: Record<string, unknown>, io: CliIO): number {
  const store = new EventStore(resolve(io.cwd, str(opts['db'], DEFAULT_DB)), { readonly: true });
  try {
    const s = readWatchStatus(store);
    if (s === undefined) {
      io.stdout('bulkhead watch has not written a status yet\n');
      return EXIT_FINDINGS;
    }
    io.stdout(
      opts['json'] === true
        ? `${JSON.stringify({ ...s.status, updated: s.updated, running: s.running }, null, 2)}\n`
        : renderWatchStatus(s.status, s.updated, s.running),
    );
    return s.running ? EXIT_OK : EXIT_FINDINGS;
  } finally {
    store.close();
  }
}

export function registerWatch(program: Command, run: (runner: CommandRunner) => Promise<void>): void {
  const dockerHost = new Option(
    '--docker-host <address>',
    'Docker Engine address (default DOCKER_HOST or the local socket)',
  );
  const watch = program
    .command('watch')
    .description(
      'runtime protection: learn per-image process profiles, then alert, kill or deny execs; drift; runtime-binary guard',
    )
    .addOption(
      new Option('--mode <mode>', 'what to do with an exec outside the profile or a rule hit')
        .choices(WATCH_MODES)
        .default('alert'),
    )
    .option('--profiles <dir>', 'profile directory (one YAML file per image digest)', DEFAULT_PROFILES)
    .option('--db <file>', 'event database (SQLite)', DEFAULT_DB)
    .option('--container <name...>', 'watch only these containers (default: all)')
    .option('--json', 'print every event as a JSON line on stdout', false)
    .option(
      '--guard <auto|runtimes|none|paths>',
      'runtime binaries to guard: discovered (auto), daemon runtimes only, none, or a comma list',
      'auto',
    )
    .option('--watchdog-ms <ms>', 'close the exec gate when one verdict takes longer than this', '2000')
    .option('--retention <rows>', 'events kept in the database', '1000000')
    .option('--learn-flush-ms <ms>', 'how often learn mode writes profile files (and always on stop)', '5000')
    .option(
      '--no-runsc-trace',
      'do not start a runsc trace session in gVisor containers (they are then reported as not observable)',
    )
    .option(
      '--host',
      "host application control: gate the host's own execs too (package-vouched or in the host profile; deny is opt-in)",
      false,
    )
    .option(
      '--host-paths <dirs>',
      'with --host: directories whose filesystems are marked (default /,/usr,/usr/local,/opt,/home,/root,/srv,/tmp,/var/tmp,/dev/shm,/run, one per device)',
    )
    .option(
      '--package-root <dir>',
      'with --host: read the package databases (dpkg, rpm) under this root',
      '/',
    )
    .addOption(dockerHost)
    .enablePositionalOptions()
    .action((opts: Record<string, unknown>) => run((io) => serve(opts, io)));

  watch
    .command('events')
    .description('list stored events (alerts, kills, denials; --all adds allowed execs); exit 1 when any')
    .option('--since <duration>', 'only events newer than this (30s, 10m, 2h, 7d)')
    .option('--container <name>', 'only this container (name or id prefix)')
    .addOption(
      new Option('-f, --format <format>', 'output format')
        .choices(['table', 'json', 'sarif'])
        .default('table'),
    )
    .option('--db <file>', 'event database', DEFAULT_DB)
    .option('--all', 'include allowed execs', false)
    .option('--limit <n>', 'most recent events to read', '1000')
    .action((opts: Record<string, unknown>) => run((io) => Promise.resolve(events(opts, io))));

  const prof = watch.command('profile').description('show, diff or promote learned profiles');
  for (const action of ['show', 'diff', 'promote'] as const) {
    prof
      .command(action)
      .description(
        action === 'show'
          ? 'print a profile (the enforced one, else the learned one)'
          : action === 'diff'
            ? 'what promoting the learned profile would change'
            : 'print the diff, then make the learned profile the enforced one (next version)',
      )
      .argument(
        '[target]',
        'container name, image name or digest; "host" for the host profile (watch --host)',
      )
      .option('--all', 'every profile in the directory', false)
      .option('--profiles <dir>', 'profile directory', DEFAULT_PROFILES)
      .addOption(
        new Option(
          '--docker-host <address>',
          'Engine used to map container names to image digests ("none": off)',
        ),
      )
      .action((target: string | undefined, opts: Record<string, unknown>) =>
        run((io) => profile(action, target, opts, io)),
      );
  }

  watch
    .command('status')
    .description(
      'counters of the running watcher: watched containers, events/s, drops, stalls, verdict latency',
    )
    .option('--db <file>', 'event database', DEFAULT_DB)
    .option('--json', 'JSON output', false)
    .action((opts: Record<string, unknown>) => run((io) => Promise.resolve(status(opts, io))));

  watch
    .command('install')
    .description('print a systemd unit that runs bulkhead watch')
    .addOption(new Option('--mode <mode>', 'mode of the service').choices(WATCH_MODES).default('alert'))
    .option(
      '--bin <path>',
      'bulkhead executable (default: the running bulkhead, as <node> <bin/bulkhead.js>)',
    )
    .option('--profiles <dir>', 'profile directory', DEFAULT_PROFILES)
    .option('--db <file>', 'event database', DEFAULT_DB)
    .action((opts: Record<string, unknown>) =>
      run((io) => {
        io.stdout(
          watchUnit({
            command: bulkheadCommand(str(opts['bin'], ''), io.cwd),
            mode: str(opts['mode'], 'alert'),
            profiles: str(opts['profiles'], DEFAULT_PROFILES),
            db: str(opts['db'], DEFAULT_DB),
          }),
        );
        return Promise.resolve(EXIT_OK);
      }),
    );

  // the network stage (src/net, issue 12): watch net, watch flows, watch net-events
  registerWatchNetCommands(watch, run);
}
