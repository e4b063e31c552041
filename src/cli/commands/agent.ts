// `bulkhead agent`: audit this host, inventory the images in use, sign the report and push it to the fleet server
// (once, or every DUR), keeping it in the outbox while the server is unreachable. Flags only; work in src/agent.
import { hostname } from 'node:os';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Option, type Command } from 'commander';
import {
  enrol,
  enrolment,
  flushOutbox,
  loadIdentity,
  queueReport,
  referenceKnownInventories,
  readAuthzSince,
  writeAuthzSince,
} from '../../agent/agent.js';
import { agentKubernetes, agentSystemd, parseServerUrl, planAgentInstall } from '../../agent/install.js';
import { buildReport } from '../../agent/report.js';
import { readWatchCursor, writeWatchCursor } from '../../agent/watch-events.js';
import { parseLabels } from '../../server/access.js';
import { parseDuration } from '../../shared/duration.js';
import { errnoCode, UsageError } from '../../shared/errors.js';
import { emitInstall, INSTALL_FORMATS, readInstallFlags } from '../install.js';
import { EXIT_ERROR, EXIT_OK, type CliIO, type CommandRunner } from '../io.js';
import { onStopSignal } from '../signals.js';
import { addFactsOptions } from '../options.js';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** The enrolment token from --token-file (read only when the agent must enrol; trimmed), or undefined. */
function readTokenFile(raw: unknown, io: CliIO): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const path = resolve(io.cwd, raw);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read the enrolment token file ${path} (${errnoCode(error) ?? 'error'})`, {
      subject: path,
      hint: 'put the token from `bulkhead server token create` in it (mode 0600)',
    });
  }
  const token = text.trim();
  if (token === '' || /\s/.test(token))
    throw new UsageError(`the enrolment token file ${path} does not hold one token`, {
      subject: path,
      hint: 'the file holds the token alone, as `bulkhead server token create` prints it',
    });
  return token;
}

async function once(opts: Record<string, unknown>, io: CliIO): Promise<number> {
  if (typeof opts['server'] !== 'string')
    throw new UsageError("required option '--server <url>' not specified", {
      hint: 'e.g. --server https://bulkhead.example:8080',
    });
  const server = parseServerUrl(opts['server']);
  const labels = parseLabels((opts['label'] as string[]).join(','), '--label');
  const name = typeof opts['name'] === 'string' ? opts['name'] : hostname();
  const state = loadIdentity(resolve(io.cwd, String(opts['state'])));
  const enrolled = enrolment(state);
  // the key is the identity: once enrolled, the agent may talk to the server under another URL (proxy, failover)
  if (enrolled?.hostId !== state.hostId) {
    const token = opts['token'] ?? readTokenFile(opts['tokenFile'], io) ?? io.env['BULKHEAD_ENROL_TOKEN'];
    if (typeof token !== 'string')
      throw new UsageError(`this agent is not enrolled with ${server}`, {
        hint: 'pass --token-file FILE (or --token TOKEN) with a token from `bulkhead server token create` (used once)',
      });
    await enrol(state, server, token, name, labels);
    io.stderr(`bulkhead agent: enrolled with ${server} as host ${state.hostId.slice(0, 12)}\n`);
  }
  const authzLog = typeof opts['authzLog'] === 'string' ? resolve(io.cwd, opts['authzLog']) : undefined;
  // watch's default database under --root when it exists (the agent then runs on a host where watch runs)
  const defaultWatchDb = join(String(opts['root']), 'var/lib/bulkhead/watch/events.db');
  const watchDb =
    typeof opts['watchDb'] === 'string'
      ? resolve(io.cwd, opts['watchDb'])
      : existsSync(defaultWatchDb)
        ? defaultWatchDb
        : undefined;
  const watchBatch = typeof opts['watchBatch'] === 'string' ? Number(opts['watchBatch']) : undefined;
  if (watchBatch !== undefined && (!Number.isInteger(watchBatch) || watchBatch < 1 || watchBatch > 50_000))
    throw new UsageError(`--watch-batch ${String(opts['watchBatch'])} is not a count`, {
      hint: 'pass a whole number from 1 to 50000',
    });
  const { report, diagnostics, watchCursor } = await buildReport({
    root: String(opts['root']),
    host: typeof opts['host'] === 'string' ? opts['host'] : undefined,
    env: io.env,
    name,
    labels,
    authzLog,
    authzSince: readAuthzSince(state),
    watchDb,
    watchCursor: watchDb === undefined ? undefined : readWatchCursor(state.dir, watchDb),
    watchBatch,
  });
  for (const d of diagnostics.filter((x) => x.level === 'error' || x.subject === watchDb))
    io.stderr(`bulkhead agent: ${d.subject}: ${d.message}\n`);
  // images whose inventory the server already stores go as references (it is asked first; docs/server.md)
  const sent = await referenceKnownInventories(server, state.key, report);
  const hash = queueReport(state, sent, report);
  const last = report.authz.at(-1)?.at;
  if (last !== undefined) writeAuthzSince(state, last);
  if (watchCursor !== undefined) writeWatchCursor(state.dir, watchCursor);
  const packages = report.images.reduce((n, i) => n + i.packages.length, 0);
  const result = await flushOutbox(state, server);
  io.stdout(
    `report ${hash.slice(0, 12)}: ${report.audit.findings.length} audit failures, ${report.containers.length} containers, ${report.images.length} images (${packages} packages${sent.references === undefined ? '' : `; ${sent.references.length} sent by reference`}), ${report.authz.length} authz decisions, ${report.events.length} watch events; delivered ${result.delivered}, already there ${result.duplicates}, rejected ${result.rejected.length}, still queued ${result.pending}\n`,
  );
  for (const r of result.rejected)
    io.stderr(`bulkhead agent: server rejected ${r.file}: ${r.reason} (kept in outbox/rejected)\n`);
  if (result.stopped !== undefined) {
    io.stderr(
      `bulkhead agent: ${result.stopped}; the report stays in the outbox and is sent on the next run\n`,
    );
    return EXIT_ERROR;
  }
  return result.rejected.length > 0 ? EXIT_ERROR : EXIT_OK;
}

export function registerAgent(program: Command, run: (runner: CommandRunner) => Promise<void>): void {
  const command = program
    .command('agent')
    .description(
      'audit this host and its images and push a signed report to a fleet server (docs/server.md)',
    );
  addFactsOptions(command)
    .option('--server <url>', 'fleet server base URL (required)')
    .option('--token <token>', 'enrolment token (first run; or BULKHEAD_ENROL_TOKEN)')
    .option('--token-file <file>', 'read the enrolment token from this file (first run only)')
    .option('--once', 'one report, then exit (the default)', false)
    .option('--every <dur>', 'keep running, one report every DUR (30s, 15m, 1h)')
    .option(
      '--label <k=v>',
      "label for this host (repeatable; the token's labels take precedence)",
      collect,
      [],
    )
    .option('--name <name>', 'host name shown on the server (default: hostname)')
    .option('--state <dir>', 'key, enrolment and outbox directory', '/var/lib/bulkhead/agent')
    .option('--authz-log <file>', 'ship decisions from this `bulkhead authz serve --decision-log` file')
    .option(
      '--watch-db <file>',
      "ship events from this `bulkhead watch` event database (default: watch's, under --root, when it exists)",
    )
    .option('--watch-batch <n>', 'watch events per report at most (the rest follow in the next reports)')
    // `agent install` has flags of the same names (--server, --every, --label): they are its own
    .enablePositionalOptions()
    .action((opts: Record<string, unknown>) =>
      run(async (io) => {
        if (opts['once'] === true && opts['every'] !== undefined)
          throw new UsageError('--once and --every are exclusive', { hint: 'pick one' });
        if (typeof opts['every'] !== 'string') return once(opts, io);
        const every = parseDuration(opts['every'], '--every');
        const signal = onStopSignal();
        // the wait between runs holds the process open (an unref'd timer let Node exit while nothing else was
        // pending) and ends at once on a signal
        const waiting = new AbortController();
        void signal.received.then(() => {
          waiting.abort();
        });
        try {
          while (!signal.stopped()) {
            try {
              await once(opts, io);
            } catch (error) {
              if (error instanceof UsageError) throw error;
              io.stderr(
                `bulkhead agent: run failed: ${error instanceof Error ? error.message : String(error)}\n`,
              );
            }
            await sleep(every, undefined, { signal: waiting.signal }).catch(() => undefined);
          }
        } finally {
          signal.dispose();
          waiting.abort();
        }
        return EXIT_OK;
      }),
    );

  command
    .command('install')
    .description(
      'print (or --write) a systemd service + timer, or a Kubernetes DaemonSet, that runs the agent on each host',
    )
    .addOption(new Option('--format <format>', 'what to print').choices(INSTALL_FORMATS).default('systemd'))
    .option('--server <url>', 'fleet server base URL the agents push to (required)')
    .option(
      '--token-file <file>',
      'systemd: file holding the enrolment token (read at enrolment, never on the command line)',
      '/etc/bulkhead/agent-enrol-token',
    )
    .option('--every <dur>', 'one report every DUR (30s, 15m, 1h, 1d)', '1h')
    .option(
      '--random-delay <dur>',
      'systemd: spread runs by up to DUR (default: a quarter of --every, at most 1h; 0: none)',
    )
    .option('--label <k=v>', 'label for the hosts (repeatable; Kubernetes label syntax)', collect, [])
    .option('--bin <path>', 'systemd: bulkhead executable (default: the running bulkhead)')
    .option('--image <ref>', 'kubernetes: the bulkhead image (bulkhead on its PATH)')
    .option('--namespace <name>', 'kubernetes: namespace of the DaemonSet', 'bulkhead-agent')
    .option(
      '--node-selector <k=v>',
      'kubernetes: run on the nodes with this label (the nodes that run dockerd)',
      'bulkhead.dev/dockerd=true',
    )
    .option('--write <dir>', 'write the files into DIR (all or none) instead of printing them')
    .action((opts: Record<string, unknown>) =>
      run((io) => {
        const flags = readInstallFlags(opts, io);
        const { str } = flags;
        const plan = planAgentInstall({
          server: str('server'),
          tokenFile: str('tokenFile'),
          every: str('every'),
          randomDelay: str('randomDelay'),
          labels: opts['label'] as string[],
          command: flags.command,
          image: str('image'),
          namespace: str('namespace'),
          nodeSelector: str('nodeSelector'),
        });
        const result = flags.systemd ? agentSystemd(plan) : agentKubernetes(plan);
        return Promise.resolve(emitInstall(result, flags, io));
      }),
    );
}
