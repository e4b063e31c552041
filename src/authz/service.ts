// `bulkhead authz serve` as a long-running service: the plugin server, its decision log and the process signals
// (SIGHUP reopens the log and reloads the policy, SIGTERM/SIGINT stop), so the CLI only maps flags to options.
import { DecisionLog } from './decision-log.js';
import { learnEnginePaths } from './engine-paths.js';
import { startAuthzServer, type RunningServer } from './server.js';
import type { Resolver } from './resolver.js';

export interface AuthzServiceOptions {
  readonly policyFile: string;
  readonly socketPath: string;
  readonly resolver: Resolver;
  readonly internalToken: string | undefined;
  /** dockerd's socket (the resolver's) and GET /info on it, to learn the engine's paths; undefined: --host none. */
  readonly engineSocket: string | undefined;
  readonly engineInfo: (() => Promise<unknown>) | undefined;
  readonly deadlineMs: number;
  /** Decision log file, or undefined for `stdout`. */
  readonly logPath: string | undefined;
  readonly watch: boolean;
  readonly idleTimeoutMs?: number;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

export interface AuthzService {
  readonly server: RunningServer;
  readonly log: DecisionLog;
  /** Resolves after SIGTERM/SIGINT, once the server is closed and the log flushed. */
  readonly stopped: Promise<void>;
}

export async function startAuthzService(options: AuthzServiceOptions): Promise<AuthzService> {
  const log = new DecisionLog({ path: options.logPath, sink: options.stdout, stderr: options.stderr });
  const server = await startAuthzServer({
    policyFile: options.policyFile,
    socketPath: options.socketPath,
    resolver: options.resolver,
    internalToken: options.internalToken,
    deadlineMs: options.deadlineMs,
    log: (line) => {
      log.write(line);
    },
    watch: options.watch,
    learnPaths: () =>
      learnEnginePaths({
        socketPath: options.engineSocket,
        info: options.engineInfo,
        ownFiles: [options.policyFile, ...(options.logPath === undefined ? [] : [options.logPath])],
      }),
    warn: options.stderr,
    ...(options.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: options.idleTimeoutMs }),
  });
  const stopped = new Promise<void>((done) => {
    const hup = (): void => {
      // SIGHUP reopens the decision log (logrotate, as with nginx and rsyslog) and reloads the policy
      log.reopen();
      server.engine.reload('SIGHUP');
    };
    const stop = (): void => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      process.off('SIGHUP', hup);
      server
        .close()
        .catch((error: unknown) => {
          options.stderr(`bulkhead authz: closing the server: ${String(error)}\n`);
        })
        .finally(() => {
          log.close();
          const stats = log.stats();
          if (stats.failures > 0) {
            options.stderr(
              `bulkhead authz: the decision log failed ${stats.failures} times (${stats.dropped} lines dropped, ${stats.buffered} unwritten)\n`,
            );
          }
          done();
        });
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    process.on('SIGHUP', hup);
  });
  return { server, log, stopped };
}
