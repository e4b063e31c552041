// `bulkhead server`: run the fleet server (API + dashboard), create tenants with API tokens and enrolment tokens
// (N uses, an expiry), rematch stored inventories, print install files. Flags only; the work is in src/server.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import {
  createEnrolmentToken,
  createTenant,
  listEnrolmentTokens,
  MAX_ENROLMENT_TTL_MS,
  MAX_ENROLMENT_USES,
  parseLabels,
  revokeEnrolmentToken,
} from '../../server/access.js';
import { planServerInstall, serverKubernetes, serverSystemd } from '../../server/install.js';
import { rematchFromFiles } from '../../server/rematch.js';
import { startServer } from '../../server/serve.js';
import { withStore, type StoreLocation } from '../../server/store.js';
import { renderColumns } from '../../shared/columns.js';
import { parseDuration } from '../../shared/duration.js';
import { UsageError } from '../../shared/errors.js';
import { defaultDbPath } from '../../vulndb/db.js';
import { emitInstall, INSTALL_FORMATS, readInstallFlags } from '../install.js';
import { EXIT_OK, type CliIO, type CommandRunner } from '../io.js';
import { onStopSignal } from '../signals.js';

function defaultDataDir(env: Readonly<Record<string, string | undefined>>): string {
  const xdg = env['XDG_DATA_HOME'];
  const base = xdg?.startsWith('/') === true ? xdg : join(env['HOME'] ?? homedir(), '.local', 'share');
  return join(base, 'bulkhead', 'server');
}

function storeOptions(command: Command): Command {
  return command
    .option(
      '--data <dir>',
      'embedded SQLite database in this directory (default: $XDG_DATA_HOME/bulkhead/server)',
    )
    .option(
      '--database <url>',
      'PostgreSQL database: postgres://user:password@host/db (or ?host=/socket/dir)',
    );
}

export function storeLocation(opts: Record<string, unknown>, io: CliIO): StoreLocation {
  const data = opts['data'];
  const database = opts['database'] ?? io.env['BULKHEAD_DATABASE_URL'];
  if (typeof data === 'string' && typeof database === 'string')
    throw new UsageError('--data and --database are exclusive', {
      hint: 'SQLite under --data DIR, or PostgreSQL with --database URL',
    });
  if (typeof database === 'string') {
    if (!/^postgres(ql)?:\/\//.test(database))
      throw new UsageError(`--database ${database.replace(/:[^:@/]*@/, ':***@')} is not a postgres:// URL`, {
        hint: 'e.g. --database postgres://bulkhead@db.example/bulkhead',
      });
    return { kind: 'postgres', url: database };
  }
  return { kind: 'sqlite', dir: resolve(io.cwd, typeof data === 'string' ? data : defaultDataDir(io.env)) };
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function registerServer(program: Command, run: (runner: CommandRunner) => Promise<void>): void {
  const server = program
    .command('server')
    .description(
      'the fleet server: agents push signed reports; API under /api/v1/ and the dashboard under / (docs/server.md)',
    );
  storeOptions(server)
    // `server install` has flags of the same names (--listen, --data, --database): they are its own
    .enablePositionalOptions()
    .option('--listen <addr:port>', 'address to listen on', '127.0.0.1:8080')
    .option(
      '--db <path>',
      'vulnerability database used for matching (default: $XDG_CACHE_HOME/bulkhead/vulndb.sqlite)',
    )
    .option('--retention-days <n>', 'prune authz decisions and runtime events older than this', '30')
    .action((opts: Record<string, unknown>) =>
      run(async (io) => {
        const retention = Number(opts['retentionDays']);
        if (!Number.isInteger(retention) || retention < 1)
          throw new UsageError('--retention-days must be a positive integer', {
            hint: 'e.g. --retention-days 30',
          });
        const running = await startServer({
          listen: String(opts['listen']),
          location: storeLocation(opts, io),
          vulndbPath: typeof opts['db'] === 'string' ? opts['db'] : defaultDbPath(io.env),
          retentionDays: retention,
          log: (line) => {
            io.stderr(`bulkhead server: ${line}\n`);
          },
        });
        io.stderr(
          `bulkhead server: listening on ${running.url} (${running.store.dialect} ${running.store.where})\n`,
        );
        await onStopSignal().received;
        await running.close();
        io.stderr('bulkhead server: stopped\n');
        return EXIT_OK;
      }),
    );

  const tenant = server.command('tenant').description('tenants: who may see which hosts (by label)');
  storeOptions(tenant.command('create').description('create a tenant and print its API token (shown once)'))
    .argument('<name>', 'tenant name (lower-case letters, digits, -)')
    .option(
      '--grant <labels>',
      'hosts it may see: k=v,k2=v2 (all must match; repeatable = any; "*" = every host)',
      collect,
      [],
    )
    .action((name: string, _opts: unknown, cmd: Command) =>
      run(async (io) => {
        // commander may file `--data` under the parent `server` command: read both
        const opts = cmd.optsWithGlobals<Record<string, unknown>>();
        const grants = (opts['grant'] as string[]).map((g) => parseLabels(g, '--grant'));
        if (grants.length === 0)
          throw new UsageError('a tenant needs at least one --grant', {
            hint: '--grant env=prod, or --grant "*" for every host',
          });
        const { token } = await withStore(storeLocation(opts, io), (store) =>
          createTenant(store.db, name, grants),
        );
        io.stdout(`${token}\n`);
        return EXIT_OK;
      }),
    );

  const token = server.command('token').description('enrolment tokens for agents (N uses, an expiry)');
  storeOptions(
    token
      .command('create')
      .description(
        'print an enrolment token (shown once) for --uses agents until --expires; the enrolled hosts get --labels',
      ),
  )
    .option('--tenant <name>', 'the tenant the token is issued for (recorded with it)')
    .option('--labels <labels>', 'labels the enrolled hosts get: k=v,k2=v2', '')
    .option('--uses <n>', 'how many distinct agents it may enrol (e.g. the node count of a DaemonSet)', '1')
    .option('--expires <dur>', 'valid for this long: 30m, 24h, 7d (at most 366d)', '24h')
    .action((_opts: unknown, cmd: Command) =>
      run(async (io) => {
        const opts = cmd.optsWithGlobals<Record<string, unknown>>();
        const labels = parseLabels(String(opts['labels']), '--labels');
        const tenant = typeof opts['tenant'] === 'string' ? opts['tenant'] : undefined;
        const rawUses = String(opts['uses']);
        const uses = /^\d{1,9}$/.test(rawUses) ? Number(rawUses) : Number.NaN;
        if (!Number.isSafeInteger(uses) || uses < 1 || uses > MAX_ENROLMENT_USES)
          throw new UsageError(
            `--uses must be a whole number from 1 to ${MAX_ENROLMENT_USES}, got ${rawUses}`,
            {
              subject: '--uses',
              hint: 'one use per agent the token enrols: e.g. --uses 40 for a DaemonSet on 40 nodes',
            },
          );
        const ttlMs = parseDuration(String(opts['expires']), '--expires');
        if (ttlMs < 1000 || ttlMs > MAX_ENROLMENT_TTL_MS)
          throw new UsageError(`--expires must be from 1s to 366d, got ${String(opts['expires'])}`, {
            subject: '--expires',
            hint: 'e.g. --expires 24h (long enough for the rollout, no longer)',
          });
        const created = await withStore(storeLocation(opts, io), (store) =>
          createEnrolmentToken(store.db, tenant, labels, { uses, ttlMs }),
        );
        // stdout is the token alone (for $(...) and files); what it allows goes to stderr
        io.stdout(`${created.token}\n`);
        io.stderr(
          `bulkhead server: enrolment token ${created.id}: ${created.uses} ${created.uses === 1 ? 'use' : 'uses'}, expires ${created.expiresAt}\n`,
        );
        return EXIT_OK;
      }),
    );

  storeOptions(
    token
      .command('list')
      .description('list enrolment tokens: id, tenant, labels, uses left, expiry (never the token itself)'),
  )
    .option('--json', 'print JSON instead of a table')
    .action((_opts: unknown, cmd: Command) =>
      run(async (io) => {
        const opts = cmd.optsWithGlobals<Record<string, unknown>>();
        const tokens = await withStore(storeLocation(opts, io), (store) => listEnrolmentTokens(store.db));
        const now = new Date().toISOString();
        const state = (t: (typeof tokens)[number]): string =>
          t.revokedAt !== null
            ? 'revoked'
            : t.expiresAt !== null && t.expiresAt <= now
              ? 'expired'
              : t.used >= t.uses
                ? 'used up'
                : 'valid';
        if (opts['json'] === true) {
          io.stdout(
            `${JSON.stringify(
              tokens.map((t) => ({ ...t, left: Math.max(t.uses - t.used, 0), state: state(t) })),
              null,
              2,
            )}\n`,
          );
          return EXIT_OK;
        }
        const rows = tokens.map((t) => [
          t.id,
          t.tenant ?? '-',
          Object.entries(t.labels)
            .map(([k, v]) => `${k}=${v}`)
            .join(',') || '-',
          `${Math.max(t.uses - t.used, 0)}/${t.uses}`,
          t.expiresAt ?? 'never',
          state(t),
        ]);
        io.stdout(`${renderColumns(['ID', 'TENANT', 'LABELS', 'USES LEFT', 'EXPIRES', 'STATE'], rows)}\n`);
        return EXIT_OK;
      }),
    );

  storeOptions(
    token
      .command('revoke')
      .description('revoke an enrolment token by id (from `token list`); hosts it enrolled stay enrolled')
      .argument('<id>', 'the token id, as `server token list` shows it'),
  ).action((id: string, _opts: unknown, cmd: Command) =>
    run(async (io) => {
      const opts = cmd.optsWithGlobals<Record<string, unknown>>();
      const result = await withStore(storeLocation(opts, io), (store) => revokeEnrolmentToken(store.db, id));
      io.stdout(
        result.already
          ? `bulkhead server: enrolment token ${id} was already revoked at ${result.revokedAt}\n`
          : `bulkhead server: enrolment token ${id} revoked at ${result.revokedAt}; hosts it enrolled stay enrolled\n`,
      );
      return EXIT_OK;
    }),
  );

  storeOptions(
    server
      .command('rematch')
      .description('match every stored inventory against the vulnerability database now'),
  )
    .option('--db <path>', 'vulnerability database (default: $XDG_CACHE_HOME/bulkhead/vulndb.sqlite)')
    .action((_opts: unknown, cmd: Command) =>
      run(async (io) => {
        const opts = cmd.optsWithGlobals<Record<string, unknown>>();
        const path = typeof opts['db'] === 'string' ? opts['db'] : defaultDbPath(io.env);
        const result = await rematchFromFiles(storeLocation(opts, io), path);
        io.stdout(
          result === undefined
            ? 'another replica is rematching; nothing done\n'
            : `rematched ${result.images} images in ${result.ms} ms: ${result.new} new, ${result.fixed} fixed, ${result.unchanged} unchanged\n`,
        );
        return EXIT_OK;
      }),
    );

  server
    .command('install')
    .description(
      'print (or --write) the systemd units (server + daily db update) or Kubernetes manifests (Deployment, Service, PVC, db update CronJob)',
    )
    .addOption(new Option('--format <format>', 'what to print').choices(INSTALL_FORMATS).default('systemd'))
    .option(
      '--listen <addr:port>',
      'address to listen on (default: systemd 127.0.0.1:8080, kubernetes 0.0.0.0:8080)',
    )
    .option('--data <dir>', 'systemd: SQLite directory under /var/lib (default /var/lib/bulkhead-server)')
    .option(
      '--database <url>',
      'PostgreSQL: postgres://... (systemd: written to --database-env-file; kubernetes: read from the Secret bulkhead-database)',
    )
    .option(
      '--database-env-file <file>',
      'systemd: root-only file holding BULKHEAD_DATABASE_URL',
      '/etc/bulkhead/server.env',
    )
    .option('--bin <path>', 'systemd: bulkhead executable (default: the running bulkhead)')
    .option('--image <ref>', 'kubernetes: the bulkhead image (bulkhead on its PATH)')
    .option('--namespace <name>', 'kubernetes: namespace', 'bulkhead')
    .option('--storage <size>', 'kubernetes: size of the PersistentVolumeClaim', '10Gi')
    .option('--update-schedule <cron>', 'kubernetes: when the CronJob runs `db update`', '17 3 * * *')
    .option('--write <dir>', 'write the files into DIR (all or none) instead of printing them')
    .action((opts: Record<string, unknown>) =>
      run((io) => {
        const flags = readInstallFlags(opts, io);
        const { str } = flags;
        const data = str('data');
        const plan = planServerInstall({
          format: flags.format,
          listen: str('listen'),
          database: str('database'),
          data: data === undefined ? undefined : resolve(io.cwd, data),
          command: flags.command,
          envFile:
            str('databaseEnvFile') === undefined
              ? undefined
              : resolve(io.cwd, String(str('databaseEnvFile'))),
          image: str('image'),
          namespace: str('namespace'),
          storage: str('storage'),
          updateSchedule: str('updateSchedule'),
        });
        const result = flags.systemd ? serverSystemd(plan) : serverKubernetes(plan);
        return Promise.resolve(emitInstall(result, flags, io));
      }),
    );
}
