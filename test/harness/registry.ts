// A private Docker registry for tests (DESIGN.md "Test engine"): Debian's docker-registry (distribution 2.8) with its
// own config listening on 127.0.0.1 only, a free port, a temp storage dir, and optional htpasswd basic auth (bcrypt
// entries made with apache2-utils' htpasswd, the only format distribution accepts).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface Registry {
  /** "127.0.0.1:PORT" */
  readonly address: string;
  readonly dir: string;
  /** Pushes an image from an engine with skopeo (credentials included when the registry has auth). */
  push(engineHost: string, image: string, dest: string): void;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

export async function startRegistry(options: { user?: string; password?: string } = {}): Promise<Registry> {
  const dir = mkdtempSync(join(tmpdir(), 'bh-reg-'));
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const auth =
    options.user !== undefined && options.password !== undefined
      ? `auth:\n  htpasswd:\n    realm: bulkhead-test\n    path: ${join(dir, 'htpasswd')}\n`
      : '';
  if (auth !== '') {
    execFileSync('htpasswd', ['-Bbc', join(dir, 'htpasswd'), options.user ?? '', options.password ?? ''], {
      stdio: 'ignore',
    });
  }
  const config = join(dir, 'config.yml');
  writeFileSync(
    config,
    `version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, 'data')}\nhttp:\n  addr: ${address}\n${auth}`,
  );
  const log = openSync(join(dir, 'registry.log'), 'a');
  const child = spawn('docker-registry', ['serve', config], { stdio: ['ignore', log, log], detached: true });
  child.unref();
  const pid = child.pid;
  const stop = async (): Promise<void> => {
    if (pid !== undefined) {
      try {
        process.kill(pid, 'SIGTERM');
        for (let i = 0; i < 50; i += 1) {
          process.kill(pid, 0);
          await sleep(100);
        }
        process.kill(pid, 'SIGKILL');
      } catch {
        // exited
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; ; i += 1) {
    try {
      const response = await fetch(`http://${address}/v2/`);
      if (response.status === 200 || response.status === 401) break;
    } catch {
      // not up yet
    }
    if (i > 100) {
      const tail = readFileSync(join(dir, 'registry.log'), 'utf8');
      await stop();
      throw new Error(`docker-registry did not start on ${address}:\n${tail}`);
    }
    await sleep(100);
  }
  const creds = auth === '' ? [] : ['--dest-creds', `${options.user ?? ''}:${options.password ?? ''}`];
  return {
    address,
    dir,
    push: (engineHost, image, dest) => {
      execFileSync(
        'skopeo',
        [
          'copy',
          '--quiet',
          '--src-daemon-host',
          engineHost,
          '--dest-tls-verify=false',
          ...creds,
          `docker-daemon:${image}`,
          `docker://${address}/${dest}`,
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
    },
    stop,
  };
}
