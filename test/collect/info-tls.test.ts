// `bulkhead info` over TCP with TLS client certificates (DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH),
// against a private dockerd listening on 127.0.0.1 with --tlsverify.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { factsSchema } from '../../src/facts/index.js';
import { runBulkhead } from '../harness/cli.js';
import { startEngine, type Engine } from '../harness/engine.js';
import { engineSuite } from '../harness/shared-engine.js';
import { freePort } from '../harness/net.js';
import { createTestPki } from '../harness/tls.js';

describe('bulkhead info over TCP with TLS', engineSuite, () => {
  let engine: Engine;
  let work: string;
  let certPath: string;
  let port: number;
  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'bh-tls-'));
    const pki = createTestPki(join(work, 'pki'), ['alice']);
    const alice = pki.clients.get('alice');
    assert.ok(alice);
    certPath = join(work, 'client');
    mkdirSync(certPath);
    copyFileSync(pki.ca, join(certPath, 'ca.pem'));
    copyFileSync(alice.cert, join(certPath, 'cert.pem'));
    copyFileSync(alice.key, join(certPath, 'key.pem'));
    port = await freePort();
    engine = await startEngine({
      dir: join(work, 'e'),
      args: [
        `--host=tcp://127.0.0.1:${port}`,
        '--tlsverify',
        `--tlscacert=${pki.ca}`,
        `--tlscert=${pki.serverCert}`,
        `--tlskey=${pki.serverKey}`,
      ],
    });
  });
  after(async () => {
    await engine.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('connects with the client certificate and identifies the daemon by its TCP listener', async () => {
    const env = {
      ...process.env,
      DOCKER_HOST: `tcp://127.0.0.1:${port}`,
      DOCKER_TLS_VERIFY: '1',
      DOCKER_CERT_PATH: certPath,
    };
    const result = await runBulkhead(['info', '--json'], { env });
    assert.equal(result.code, 0, result.stderr);
    const facts = factsSchema.parse(JSON.parse(result.stdout));
    assert.equal(facts.engine.state === 'known' && facts.engine.value.address, `tcp://127.0.0.1:${port}`);
    assert.ok(facts.host.dockerd.state === 'known', 'dockerd found');
    assert.equal(facts.host.dockerd.value.pid, engine.pid);
    assert.equal(facts.host.dockerd.value.matchedBy, 'socket-inode');
    assert.deepEqual(facts.host.dockerd.value.flags['tlsverify'], ['true']);
    const tlsFiles = facts.host.files.filter((f) => ['tlscacert', 'tlscert', 'tlskey'].includes(f.role));
    assert.equal(tlsFiles.length, 3);
    assert.ok(tlsFiles.every((f) => f.exists && f.type === 'file'));
  });

  it('with DOCKER_TLS (no server verification) still presents the client certificate', async () => {
    const env = {
      ...process.env,
      DOCKER_HOST: `tcp://127.0.0.1:${port}`,
      DOCKER_TLS_VERIFY: '',
      DOCKER_TLS: '1',
      DOCKER_CERT_PATH: certPath,
    };
    const result = await runBulkhead(['info', '--json'], { env });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(factsSchema.parse(JSON.parse(result.stdout)).engine.state, 'known');
  });

  it('without TLS settings the daemon refuses plain HTTP: host facts still print, the message says to use TLS, exit 2', async () => {
    const env = {
      ...process.env,
      DOCKER_HOST: `tcp://127.0.0.1:${port}`,
      DOCKER_TLS_VERIFY: '',
      DOCKER_TLS: '',
    };
    const result = await runBulkhead(['info'], { env });
    assert.equal(result.code, 2);
    assert.match(result.stdout, /^Host \(\/\)/);
    assert.match(
      result.stderr,
      /GET \/version on tcp:\/\/127\.0\.0\.1:\d+ answered HTTP 400: Client sent an HTTP request to an HTTPS server/,
    );
    assert.match(result.stderr, /fix: the daemon expects TLS: set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH/);
  });

  it('is refused without a client certificate, with a clear message and exit 2', async () => {
    const empty = join(work, 'empty');
    mkdirSync(empty, { recursive: true });
    const env = {
      ...process.env,
      DOCKER_HOST: `tcp://127.0.0.1:${port}`,
      DOCKER_TLS_VERIFY: '1',
      DOCKER_CERT_PATH: empty,
    };
    const result = await runBulkhead(['info'], { env });
    assert.equal(result.code, 2);
    assert.match(result.stderr, new RegExp(`cannot read TLS file ${empty}/ca\\.pem`));
    assert.match(result.stderr, /fix: set DOCKER_CERT_PATH/);
  });
});
