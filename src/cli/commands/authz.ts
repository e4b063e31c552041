// `bulkhead authz`: serve the Docker authorization plugin, test a policy offline, print or write the install
// files, list the action names policies use.
import { join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { loadCases, runCases } from '../../authz/cases.js';
import { loadPolicy } from '../../authz/policy.js';
import { engineConnection } from '../../authz/resolver.js';
import { ACTIONS } from '../../authz/routes.js';
import { DEFAULT_SOCKET } from '../../authz/server.js';
import { startAuthzService } from '../../authz/service.js';
import {
  checkInstall,
  daemonJsonChange,
  describeDaemonJsonChange,
  specFile,
  systemdUnit,
} from '../../authz/install.js';
import { renderColumns } from '../../shared/columns.js';
import { UsageError } from '../../shared/errors.js';
import { bulkheadCommand } from '../../shared/self-binary.js';
import { writeAll } from '../../shared/systemd-unit.js';
import { TOOL_VERSION } from '../../shared/version.js';
import { EXIT_FINDINGS, EXIT_OK, type CliIO, type CommandRunner } from '../io.js';

function intFlag(flag: string, raw: unknown, min: number, max: number): number {
  const n = typeof raw === 'string' ? Number(raw) : typeof raw === 'number' ? raw : NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`${flag} must be an integer between ${min} and ${max}, got ${String(raw)}`, {
      hint: `e.g. ${flag} 1000`,
    });
  }
  return n;
}

async function serve(opts: Record<string, unknown>, io: CliIO): Promise<number> {
  const policyFile = resolve(io.cwd, String(opts['policy']));
  const socketPath = resolve(io.cwd, String(opts['socket']));
  const deadlineMs = intFlag('--deadline-ms', opts['deadlineMs'], 10, 60000);
  const cacheMs = intFlag('--resolve-cache-ms', opts['resolveCacheMs'], 0, 60000);
  const engine = engineConnection(String(opts['dockerHost'] ?? opts['host']), { deadlineMs, cacheMs });
  const logTarget = String(opts['decisionLog']);
  const service = await startAuthzService({
    policyFile,
    socketPath,
    ...engine,
    deadlineMs,
    logPath: logTarget === '-' ? undefined : resolve(io.cwd, logTarget),
    watch: opts['watch'] !== false,
    idleTimeoutMs: intFlag('--idle-timeout-ms', opts['idleTimeoutMs'], 100, 3600000),
    stdout: io.stdout,
    stderr: io.stderr,
  });
  io.stderr(
    `bulkhead authz: serving ${socketPath} with policy ${policyFile} (${service.server.engine.policy.users.size} users, deadline ${deadlineMs} ms)\n`,
  );
  await service.stopped;
  io.stderr('bulkhead authz: stopped\n');
  return EXIT_OK;
}

async function test(
  policyPath: string,
  casesPath: string,
  opts: Record<string, unknown>,
  io: CliIO,
): Promise<number> {
  const policy = loadPolicy(resolve(io.cwd, policyPath));
  for (const w of policy.warnings) io.stderr(`bulkhead: warning: ${w}\n`);
  const cases = loadCases(resolve(io.cwd, casesPath));
  const results = await runCases(policy, cases);
  const failed = results.filter((r) => !r.passed);
  if (opts['format'] === 'json') {
    io.stdout(
      `${JSON.stringify(
        results.map((r) => ({
          name: r.name,
          line: r.line ?? null,
          expected: r.expected,
          decision: r.decision.allow ? 'allow' : 'deny',
          rule: r.decision.rule,
          passed: r.passed,
          ...(r.problem === undefined ? {} : { problem: r.problem }),
          ...(r.decision.allow ? {} : { msg: r.decision.msg }),
        })),
        null,
        2,
      )}\n`,
    );
  } else {
    for (const r of results) {
      const where = r.line === undefined ? '' : ` (${casesPath}:${r.line})`;
      const verdict = `${r.decision.allow ? 'allow' : 'deny'} by ${r.decision.rule}`;
      io.stdout(`${r.passed ? 'PASS' : 'FAIL'}  ${r.name}: ${verdict}${where}\n`);
      if (!r.passed)
        io.stdout(`      ${r.problem ?? ''}${r.decision.allow ? '' : `\n      ${r.decision.msg}`}\n`);
    }
    io.stdout(`${results.length - failed.length} passed, ${failed.length} failed\n`);
  }
  return failed.length === 0 ? EXIT_OK : EXIT_FINDINGS;
}

function install(opts: Record<string, unknown>, io: CliIO): number {
  const name = String(opts['name']);
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(name)) {
    throw new UsageError(`invalid plugin name ${name}`, { hint: 'use letters, digits, "-", "_" or "."' });
  }
  const path = (flag: string, fallback: string): string =>
    resolve(io.cwd, typeof opts[flag] === 'string' ? opts[flag] : fallback);
  const socket = path('socket', `/run/docker/plugins/${name}.sock`);
  const log = typeof opts['decisionLog'] === 'string' ? opts['decisionLog'] : undefined;
  const options = {
    name,
    socket,
    policy: path('policy', '/etc/bulkhead/authz-policy.yaml'),
    command: bulkheadCommand(typeof opts['bin'] === 'string' ? opts['bin'] : undefined, io.cwd),
    decisionLog: log === undefined || log === '-' ? log : resolve(io.cwd, log),
  };
  const spec = specFile(options);
  const unit = systemdUnit(options);
  const specPath = join(path('specDir', '/etc/docker/plugins'), `${name}.spec`);
  const unitPath = join(path('unitDir', '/etc/systemd/system'), `${name}-authz.service`);
  const daemonJson = describeDaemonJsonChange(
    daemonJsonChange(path('daemonConfig', '/etc/docker/daemon.json'), name),
  );
  if (opts['write'] === true) {
    // both checks before anything is written: a unit that cannot start makes dockerd refuse every API call
    const checked = checkInstall(options, TOOL_VERSION);
    io.stderr(`checked: ${options.command.join(' ')} --version is ${checked.version}\n`);
    io.stderr(
      `checked: ${options.policy} loads (${checked.policy.knownUsers.size} users, ${checked.policy.warnings.length} warnings)\n`,
    );
    for (const w of checked.policy.warnings) io.stderr(`bulkhead: warning: ${w}\n`);
    writeAll(
      [
        { path: specPath, text: spec },
        { path: unitPath, text: unit },
      ],
      'run as root, or point --spec-dir/--unit-dir at writable directories',
    );
    io.stderr(`wrote ${specPath}\nwrote ${unitPath}\n`);
    io.stdout(daemonJson);
    io.stderr(
      `next: systemctl daemon-reload && systemctl enable --now ${name}-authz.service, then change daemon.json as shown and restart docker\n`,
    );
    return EXIT_OK;
  }
  io.stdout(`# ${specPath}\n${spec}\n# ${unitPath}\n${unit}\n${daemonJson}`);
  return EXIT_OK;
}

function actions(io: CliIO): number {
  const rows = ACTIONS.map((a) => [a.name, a.category, a.resource, a.description]);
  io.stdout(`${renderColumns(['ACTION', 'CATEGORY', 'RESOURCE', 'DESCRIPTION'], rows)}\n`);
  return EXIT_OK;
}

export function registerAuthz(program: Command, run: (runner: CommandRunner) => Promise<void>): void {
  const authz = program
    .command('authz')
    .description('Docker authorization plugin: who may do what through the Engine API');

  authz
    .command('serve')
    .description(
      'serve the plugin protocol on a unix socket until SIGTERM/SIGINT (SIGHUP reloads the policy)',
    )
    .requiredOption('--policy <file>', 'policy YAML file (reloaded when it changes)')
    .option('--socket <path>', 'unix socket to listen on', DEFAULT_SOCKET)
    .option(
      '-H, --host <unix://path|none>',
      "dockerd's socket, used to resolve container names, ids and exec ids (as --host of audit, scan, info)",
      'unix:///var/run/docker.sock',
    )
    .option('--docker-host <unix://path|none>', 'the old name of --host (kept working)')
    .option('--deadline-ms <ms>', 'deny when no decision is reached within this time', '1000')
    .option('--resolve-cache-ms <ms>', 'reuse container/exec lookups for this long (0: never)', '500')
    .option(
      '--decision-log <file>',
      'append JSON-lines decisions to this file, reopened on SIGHUP ("-": stdout)',
      '-',
    )
    .option('--no-watch', 'do not reload the policy when the file changes (SIGHUP still does)')
    .option('--idle-timeout-ms <ms>', 'close plugin connections idle for this long', '30000')
    .action((opts: Record<string, unknown>) => run((io) => serve(opts, io)));

  authz
    .command('test')
    .description('run a policy against a YAML file of requests and expected decisions (exit 1 on a failure)')
    .argument('<policy>', 'policy YAML file')
    .argument('<cases>', 'test cases YAML file')
    .addOption(
      new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'),
    )
    .action((policy: string, cases: string, opts: Record<string, unknown>) =>
      run((io) => test(policy, cases, opts, io)),
    );

  authz
    .command('install')
    .description('print (or --write) the plugin spec file, a systemd unit and the daemon.json setting')
    .option('--name <name>', 'plugin name dockerd uses (--authorization-plugin=NAME)', 'bulkhead')
    .option('--socket <path>', 'plugin socket (default /run/docker/plugins/NAME.sock)')
    .option('--policy <file>', 'policy file the service serves', '/etc/bulkhead/authz-policy.yaml')
    .option(
      '--bin <path>',
      'bulkhead executable (default: the running bulkhead, as <node> <bin/bulkhead.js>)',
    )
    .option('--decision-log <file>', 'decision log file (default: stdout, i.e. the journal)')
    .option(
      '--write',
      'check the binary and the policy, then write the spec file and the unit (never daemon.json)',
      false,
    )
    .option(
      '--daemon-config <file>',
      'daemon.json whose authorization-plugins list is merged',
      '/etc/docker/daemon.json',
    )
    .option('--spec-dir <dir>', 'where dockerd looks for plugin spec files', '/etc/docker/plugins')
    .option('--unit-dir <dir>', 'systemd unit directory', '/etc/systemd/system')
    .action((opts: Record<string, unknown>) => run((io) => Promise.resolve(install(opts, io))));

  authz
    .command('actions')
    .description('list every action name a policy can use, with its category and resource kind')
    .action(() => run((io) => Promise.resolve(actions(io))));
}
