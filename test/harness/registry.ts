// A private Docker registry for tests (DESIGN.md "Test engine"): Debian's docker-registry (distribution 2.8) with its
// own config listening on 127.0.0.1 only, a free port, a temp storage dir, and either htpasswd basic auth (bcrypt
// entries made with apache2-utils' htpasswd, the only format distribution accepts) or token auth: a small token
// service on 127.0.0.1 that checks Basic credentials and signs RS256 JWTs with an x5c chain the registry trusts
// through `rootcertbundle` (distribution's "Token Authentication Implementation").
import { execFile, execFileSync, spawn } from 'node:child_process';
import { createSign, X509Certificate } from 'node:crypto';
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { freePort } from './net.js';

const execFileAsync = promisify(execFile);

export interface Registry {
  /** "127.0.0.1:PORT" */
  readonly address: string;
  readonly dir: string;
  /**
   * Copies an image into the registry with skopeo (credentials included when the registry has auth). `source` is a
   * skopeo source ("docker-daemon:NAME", "docker-archive:PATH"). Asynchronous: with token auth the token service
   * runs in this process and must keep answering while skopeo works.
   */
  push(source: string, dest: string, engineHost?: string): Promise<void>;
  stop(): Promise<void>;
}

const SERVICE = 'bulkhead-test-registry';
const ISSUER = 'bulkhead-test-issuer';

const b64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

/** A token service: Basic credentials in, an RS256 JWT granting the requested repository actions out. */
async function startTokenServer(
  dir: string,
  user: string,
  password: string,
): Promise<{ realm: string; cert: string; server: Server }> {
  const key = join(dir, 'token.key');
  const cert = join(dir, 'token.crt');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      '/CN=bulkhead-test-token',
      '-days',
      '2',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  const privateKey = readFileSync(key, 'utf8');
  const der = new X509Certificate(readFileSync(cert)).raw.toString('base64');
  let count = 0;
  const expected = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const server = createHttpServer((req, res) => {
    count += 1;
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.headers.authorization !== expected) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"bad credentials"}');
      return;
    }
    const access = url.searchParams.getAll('scope').flatMap((scope) => {
      const m = /^repository:([^:]+):(.+)$/.exec(scope);
      return m === null ? [] : [{ type: 'repository', name: m[1], actions: (m[2] ?? '').split(',') }];
    });
    const now = Math.floor(Date.now() / 1000);
    const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', x5c: [der] }));
    const claims = b64url(
      JSON.stringify({
        iss: ISSUER,
        sub: user,
        aud: url.searchParams.get('service'),
        exp: now + 300,
        nbf: now - 10,
        iat: now,
        jti: String(count),
        access,
      }),
    );
    const signature = createSign('RSA-SHA256')
      .update(`${header}.${claims}`)
      .sign(privateKey)
      .toString('base64url');
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ token: `${header}.${claims}.${signature}`, expires_in: 300 }));
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { realm: `http://127.0.0.1:${port}/token`, cert, server };
}

export interface RegistryOptions {
  readonly user?: string;
  readonly password?: string;
  /** "basic" (htpasswd, the default when credentials are given) or "token" (Bearer tokens from a token service). */
  readonly auth?: 'basic' | 'token';
}

export async function startRegistry(options: RegistryOptions = {}): Promise<Registry> {
  const dir = mkdtempSync(join(tmpdir(), 'bh-reg-'));
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const withCreds = options.user !== undefined && options.password !== undefined;
  let auth = '';
  let tokenServer: Server | undefined;
  if (withCreds && options.auth === 'token') {
    const token = await startTokenServer(dir, options.user ?? '', options.password ?? '');
    tokenServer = token.server;
    auth = `auth:\n  token:\n    realm: ${token.realm}\n    service: ${SERVICE}\n    issuer: ${ISSUER}\n    rootcertbundle: ${token.cert}\n`;
  } else if (withCreds) {
    auth = `auth:\n  htpasswd:\n    realm: bulkhead-test\n    path: ${join(dir, 'htpasswd')}\n`;
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
  // Same process group as the test runner: an interrupted run (Ctrl-C) takes the registry down with it.
  const child = spawn('docker-registry', ['serve', config], { stdio: ['ignore', log, log] });
  child.unref();
  const pid = child.pid;
  const stop = async (): Promise<void> => {
    tokenServer?.close();
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
    push: async (source, dest, engineHost) => {
      await execFileAsync(
        'skopeo',
        [
          'copy',
          '--quiet',
          ...(engineHost === undefined ? [] : ['--src-daemon-host', engineHost]),
          '--dest-tls-verify=false',
          ...creds,
          source,
          `docker://${address}/${dest}`,
        ],
        { maxBuffer: 16 * 1024 * 1024 },
      );
    },
    stop,
  };
}
