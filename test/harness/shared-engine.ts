// Access for test files to the one engine scripts/test.sh starts for the whole run (env BULKHEAD_TEST_DOCKER_HOST).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const BUSYBOX_IMAGE = 'bulkhead-test/busybox:latest';

export interface SharedEngine {
  readonly host: string;
  readonly socket: string;
  readonly dir: string;
  docker(args: readonly string[], input?: string | Buffer): string;
}

/**
 * The shared test engine. Engine tests call this in a `before` hook: it throws when the engine is absent so that a
 * missing engine fails the run; `BULKHEAD_TEST_ENGINE=skip` (npm run test:unit) turns that into a skip instead.
 */
export function sharedEngine(): SharedEngine {
  const host = process.env['BULKHEAD_TEST_DOCKER_HOST'];
  const dir = process.env['BULKHEAD_TEST_ENGINE_DIR'];
  if (host === undefined || dir === undefined || !host.startsWith('unix://')) {
    throw new Error('no test engine: run the suite through `npm test` (scripts/test.sh starts one)');
  }
  const socket = host.slice('unix://'.length);
  if (!existsSync(socket)) throw new Error(`test engine socket ${socket} is gone`);
  return {
    host,
    socket,
    dir,
    docker: (args, input) =>
      execFileSync(existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker', ['--host', host, ...args], {
        encoding: 'utf8',
        input,
        maxBuffer: 512 * 1024 * 1024,
        stdio: ['pipe', 'pipe', 'pipe'],
      }),
  };
}

/** `{ skip }` option for engine test suites: skipped only when explicitly asked (unit-only runs). */
export const engineSuite = {
  skip: process.env['BULKHEAD_TEST_ENGINE'] === 'skip' ? 'BULKHEAD_TEST_ENGINE=skip' : false,
} as const;
