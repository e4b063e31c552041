// Generates a throw-away PKI with openssl for TLS tests of dockerd (docs.docker.com/engine/security/protect-access
// "Use TLS"): a CA, a server certificate for 127.0.0.1 and client certificates whose CN is the user name dockerd
// hands to authorization plugins.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ClientCert {
  readonly cert: string;
  readonly key: string;
}

export interface TestPki {
  readonly dir: string;
  readonly ca: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clients: ReadonlyMap<string, ClientCert>;
}

function openssl(args: readonly string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

function keyAndCsr(dir: string, name: string, cn: string): { key: string; csr: string } {
  const key = join(dir, `${name}-key.pem`);
  const csr = join(dir, `${name}.csr`);
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', key]);
  openssl(['req', '-new', '-key', key, '-out', csr, '-subj', `/CN=${cn}`]);
  return { key, csr };
}

function sign(dir: string, name: string, csr: string, ext: string, ca: string, caKey: string): string {
  const extFile = join(dir, `${name}.ext`);
  writeFileSync(extFile, ext);
  const cert = join(dir, `${name}-cert.pem`);
  openssl([
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    ca,
    '-CAkey',
    caKey,
    '-CAcreateserial',
    '-out',
    cert,
    '-days',
    '2',
    '-sha256',
    '-extfile',
    extFile,
  ]);
  return cert;
}

/** CA + server certificate (SAN IP:127.0.0.1) + one client certificate per user (CN = user). */
export function createTestPki(dir: string, users: readonly string[]): TestPki {
  mkdirSync(dir, { recursive: true });
  const caKey = join(dir, 'ca-key.pem');
  const ca = join(dir, 'ca.pem');
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', caKey]);
  openssl([
    'req',
    '-x509',
    '-new',
    '-key',
    caKey,
    '-out',
    ca,
    '-days',
    '2',
    '-sha256',
    '-subj',
    '/CN=bulkhead-test-ca',
  ]);
  const server = keyAndCsr(dir, 'server', '127.0.0.1');
  const serverCert = sign(
    dir,
    'server',
    server.csr,
    'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n',
    ca,
    caKey,
  );
  const clients = new Map<string, ClientCert>();
  for (const user of users) {
    const client = keyAndCsr(dir, user, user);
    clients.set(user, {
      cert: sign(dir, user, client.csr, 'extendedKeyUsage=clientAuth\n', ca, caKey),
      key: client.key,
    });
  }
  return { dir, ca, serverCert, serverKey: server.key, clients };
}
