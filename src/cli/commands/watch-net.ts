// `bulkhead watch net` (the network stage of watch: flows, learning, rules, nftables enforcement until SIGTERM),
// `bulkhead watch flows` (the host's container graph) and `bulkhead watch net-events`; docs/net.md.
import { Option, type Command } from 'commander';
import { join, resolve } from 'node:path';
import { connectEngine } from '../../engine/client.js';
import { LEGACY_NETWORK_DIR } from '../../net/migrate.js';
import { NetMonitor, type NetMode } from '../../net/monitor.js';
import { renderFlows, type FlowFormat } from '../../net/render.js';
import { NetStore, type NetEvent } from '../../net/store.js';
import { parseDuration } from '../../shared/duration.js';
import { UsageError } from '../../shared/errors.js';
import { DEFAULT_PROFILE_DIR } from '../../watch/profile.js';
import { DEFAULT_EVENT_DB } from '../../watch/store.js';
import { EXIT_OK, type CliIO, type CommandRunner } from '../io.js';
import { onStopSignal } from '../signals.js';

// watch's own defaults: the network section lives in watch's profile files, net_events in watch's event database
const DEFAULT_DB = DEFAULT_EVENT_DB;
const DEFAULT_PROFILES = DEFAULT_PROFILE_DIR;
/** Where the network stage kept its separate profiles by default before they moved into watch's (migrated). */
const OLD_DEFAULT_NETWORK_PROFILES = '/var/lib/bulkhead/profiles/network';

function positiveInt(text: unknown, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0)
    throw new UsageError(`${flag} must be a positive integer, got ${String(text)}`, {
      subject: flag,
      hint: `e.g. ${flag} 1000`,
    });
  return n;
}

function eventLine(e: NetEvent): string {
  const when = new Date(e.time).toISOString();
  return `${when}  ${e.verdict.padEnd(7)}  ${(e.ruleId ?? e.kind).padEnd(12)}  ${e.message}\n`;
}

async function runNet(opts: Record<string, unknown>, io: CliIO): Promise<number> {
  const mode = String(opts['mode']) as NetMode;
  const { docker } = connectEngine({
    host: typeof opts['host'] === 'string' ? opts['host'] : undefined,
    env: io.env,
    timeoutMs: 10_000,
  });
  const store = new NetStore(resolve(io.cwd, String(opts['db'])));
  const json = opts['json'] === true;
  const profilesDir = resolve(io.cwd, String(opts['profiles']));
  const monitor = new NetMonitor({
    docker,
    mode,
    profilesDir,
    legacyProfileDirs: [
      join(profilesDir, LEGACY_NETWORK_DIR),
      ...(profilesDir === DEFAULT_PROFILES ? [OLD_DEFAULT_NETWORK_PROFILES] : []),
    ],
    store,
    containers: Array.isArray(opts['container']) ? opts['container'].map(String) : [],
    intervalMs: positiveInt(opts['interval'], '--interval'),
    onEvent: (e) => {
      if (json) io.stdout(`${JSON.stringify(e)}\n`);
      else if (e.kind !== 'flow' || mode === 'learn') io.stderr(eventLine(e));
    },
  });
  await monitor.start();
  const status = monitor.status();
  io.stderr(
    `bulkhead watch net: ${mode} mode, ${status.namespaces} namespace(s) of ${status.containers} container(s); SIGTERM stops\n`,
  );
  await onStopSignal().received;
  await monitor.stop();
  store.close();
  io.stderr(`bulkhead watch net: stopped, tables removed (${monitor.graph.edges.size} edges recorded)\n`);
  return EXIT_OK;
}

function flows(opts: Record<string, unknown>, io: CliIO): number {
  const store = new NetStore(resolve(io.cwd, String(opts['db'])), { create: false });
  try {
    io.stdout(renderFlows(store.edges(), String(opts['format']) as FlowFormat));
  } finally {
    store.close();
  }
  return EXIT_OK;
}

function events(opts: Record<string, unknown>, io: CliIO): number {
  const store = new NetStore(resolve(io.cwd, String(opts['db'])), { create: false, readonly: true });
  try {
    const since =
      typeof opts['since'] === 'string'
        ? Date.now() - parseDuration(opts['since'], '--since', { allowZero: true })
        : 0;
    const list = store.query({
      sinceMs: since,
      ...(typeof opts['container'] === 'string' ? { container: opts['container'] } : {}),
    });
    if (opts['format'] === 'json') io.stdout(`${JSON.stringify(list, null, 2)}\n`);
    else for (const e of list) io.stdout(eventLine(e));
  } finally {
    store.close();
  }
  return EXIT_OK;
}

/** Adds `net`, `flows` and `net-events` to watch's command (src/cli/commands/watch.ts). */
export function registerWatchNetCommands(
  watch: Command,
  run: (runner: CommandRunner) => Promise<void>,
): void {
  watch
    .command('net')
    .description(
      "the network stage alone: flows per namespace, learning, rules, and in deny mode bulkhead's nftables table in each container namespace",
    )
    .addOption(
      new Option('--mode <mode>', 'learn | alert | deny')
        .choices(['learn', 'alert', 'deny'])
        .default('learn'),
    )
    .option(
      '--profiles <dir>',
      "watch's profile directory: learns into <hex>.learned.yaml, enforces the promoted <hex>.yaml",
      DEFAULT_PROFILES,
    )
    .option('--db <file>', 'SQLite event store', DEFAULT_DB)
    .option('--container <name...>', 'watch only these containers (names or id prefixes)')
    .option('--interval <ms>', 'poll interval of /proc/<pid>/net', '1000')
    .option('--host <address>', 'Docker Engine address (default DOCKER_HOST or the local socket)')
    .option('--json', 'print every event as a JSON line on stdout')
    .action((opts: Record<string, unknown>) => run((io) => runNet(opts, io)));
  watch
    .command('flows')
    .description('the container-to-container graph recorded by watch (edges with ports, denied edges marked)')
    .addOption(
      new Option('-f, --format <format>', 'output format')
        .choices(['table', 'json', 'dot', 'svg'])
        .default('table'),
    )
    .option('--db <file>', 'SQLite event store', DEFAULT_DB)
    .action((opts: Record<string, unknown>) => run((io) => Promise.resolve(flows(opts, io))));
  watch
    .command('net-events')
    .description('network events: new edges, rule alerts, denials, namespaces that cannot be observed')
    .option('--since <duration>', 'only events newer than this (30s, 15m, 2h, 1d)')
    .option('--container <name>', 'only events naming this container')
    .addOption(
      new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'),
    )
    .option('--db <file>', 'SQLite event store', DEFAULT_DB)
    .action((opts: Record<string, unknown>) => run((io) => Promise.resolve(events(opts, io))));
}
