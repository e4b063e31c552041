// `bulkhead scan` end to end on a real engine: the Debian 12 acceptance (docker-archive, OCI layout and two-layer
// variant give the same packages and findings with the bookworm-derived feed imported), output formats and filters,
// engine images by name with --host, a private registry with basic auth, the host's own root filesystem, and the
// errors a user meets (no database, missing input, bad credentials).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { runBulkhead } from '../harness/cli.js';
import {
  debianRootfs,
  makeDebianImages,
  type DebianImages,
  type DebianRootfs,
} from '../harness/debian-image.js';
import { startRegistry, type Registry } from '../harness/registry.js';
import { BUSYBOX_IMAGE, engineSuite, sharedEngine, type SharedEngine } from '../harness/shared-engine.js';

const FEED = join(
  import.meta.dirname,
  '..',
  '..',
  '..',
  'shared',
  'data',
  'vulndb',
  'debian',
  'bookworm-derived.json',
);

const reportSchema = z.object({
  command: z.literal('scan'),
  subjects: z.array(z.string()),
  findings: z.array(
    z.object({
      ruleId: z.string(),
      severity: z.string(),
      outcome: z.object({ kind: z.string() }),
      target: z.object({
        kind: z.string(),
        name: z.string().optional(),
        version: z.string().optional(),
        path: z.string().optional(),
        layer: z
          .object({ index: z.number(), digest: z.string(), createdBy: z.string().optional() })
          .optional(),
      }),
      vulnerability: z
        .object({ id: z.string(), fixedVersion: z.string().nullable(), status: z.string() })
        .optional(),
    }),
  ),
  diagnostics: z.array(z.object({ level: z.string(), subject: z.string(), message: z.string() })),
  artifact: z.object({
    source: z.string(),
    os: z.object({ family: z.string(), versionId: z.string().optional(), codename: z.string().optional() }),
    packages: z.array(
      z.object({
        name: z.string(),
        version: z.string(),
        sourceName: z.string(),
        sourceVersion: z.string(),
        layer: z.number().optional(),
      }),
    ),
    layers: z.array(z.object({ index: z.number(), digest: z.string() })),
  }),
  summary: z.object({ total: z.number() }),
});
type ScanReport = z.infer<typeof reportSchema>;

function parseReport(stdout: string): ScanReport {
  return reportSchema.parse(JSON.parse(stdout));
}

function vulnKeys(report: ScanReport): string[] {
  return report.findings
    .filter((f) => f.vulnerability !== undefined)
    .map(
      (f) =>
        `${f.ruleId} ${f.target.name ?? ''} ${f.target.version ?? ''} ${f.vulnerability?.status ?? ''} ${f.vulnerability?.fixedVersion ?? ''}`,
    )
    .sort();
}

function packageLines(report: ScanReport): string {
  return `${report.artifact.packages
    .map((p) => `${p.name} ${p.version} ${p.sourceName} ${p.sourceVersion}`)
    .sort()
    .join('\n')}\n`;
}

describe('bulkhead scan (no engine needed)', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'bh-scancli-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('without a database fails with exit 2 and says how to get one', async () => {
    const result = await runBulkhead(['scan', '--db', join(dir, 'none.sqlite'), dir]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /no vulnerability database at .*none\.sqlite/);
    assert.match(
      result.stderr,
      /fix: run `bulkhead db update` \(or `bulkhead db import FILE\|DIR` offline\)/,
    );
    assert.equal(result.stdout, '');
  });

  it('a missing path is a clear error', async () => {
    const result = await runBulkhead(['scan', '--skip-db', join(dir, 'nope.tar')]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /nope\.tar does not exist/);
  });

  it('a file that is not an image is a clear error', async () => {
    const file = join(dir, 'junk.tar');
    writeFileSync(file, 'not a tar '.repeat(200));
    const result = await runBulkhead(['scan', '--skip-db', file]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /junk\.tar: not a tar archive or corrupt tar header/);
    assert.match(result.stderr, /fix: /);
  });

  it('rejects an unknown severity', async () => {
    const result = await runBulkhead(['scan', '--skip-db', '--severity', 'urgent', dir]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /unknown severity "urgent"/);
  });

  it('scans a root filesystem directory: apk database and config checks', async () => {
    const root = join(dir, 'alpine');
    mkdirSync(join(root, 'lib/apk/db'), { recursive: true });
    mkdirSync(join(root, 'etc'), { recursive: true });
    writeFileSync(join(root, 'etc/alpine-release'), '3.19.1\n');
    writeFileSync(
      join(root, 'lib/apk/db/installed'),
      'P:musl\nV:1.2.4_git20230717-r4\nA:x86_64\no:musl\n\nP:libcrypto3\nV:3.1.4-r5\no:openssl\n\n',
    );
    const result = await runBulkhead(['scan', '--skip-db', '-f', 'json', `rootfs:${root}`]);
    assert.equal(result.code, 0, result.stderr);
    const report = parseReport(result.stdout);
    assert.equal(report.artifact.os.family, 'alpine');
    assert.deepEqual(
      report.artifact.packages.map((p) => [p.name, p.sourceName]),
      [
        ['musl', 'musl'],
        ['libcrypto3', 'openssl'],
      ],
    );
    // no image configuration on a directory
    assert.ok(report.findings.some((f) => f.ruleId === 'BH-IMG-001' && f.outcome.kind === 'not-applicable'));
  });

  it('detects vulnerabilities in a root filesystem and honours ignore files', async () => {
    const db = join(dir, 'feed.sqlite');
    assert.equal((await runBulkhead(['db', 'import', '--db', db, FEED])).code, 0);
    const root = join(dir, 'debian');
    mkdirSync(join(root, 'var/lib/dpkg'), { recursive: true });
    mkdirSync(join(root, 'etc'), { recursive: true });
    writeFileSync(join(root, 'etc/os-release'), 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n');
    writeFileSync(
      join(root, 'var/lib/dpkg/status'),
      'Package: libexpat1\nStatus: install ok installed\nVersion: 2.5.0-1+deb12u1\nSource: expat\nArchitecture: amd64\n',
    );
    const first = await runBulkhead(['scan', '--db', db, '-q', '-f', 'json', root], { cwd: root });
    assert.equal(first.code, 0, first.stderr);
    const report = parseReport(first.stdout);
    const vulns = report.findings.filter((f) => f.vulnerability !== undefined);
    assert.ok(vulns.length > 0);
    assert.ok(vulns.every((f) => f.target.name === 'libexpat1' && f.target.layer === undefined));
    const ignored = vulns[0]?.ruleId ?? '';
    writeFileSync(join(root, '.trivyignore'), `# accepted risk\n${ignored}\n`);
    const second = parseReport(
      (await runBulkhead(['scan', '--db', db, '-q', '-f', 'json', root], { cwd: root })).stdout,
    );
    assert.equal(second.findings.filter((f) => f.vulnerability !== undefined).length, vulns.length - 1);
    assert.ok(!second.findings.some((f) => f.ruleId === ignored));
    const yaml = join(dir, 'ignore.yaml');
    writeFileSync(yaml, `vulnerabilities:\n  - id: ${ignored}\n    expires: 2020-01-01\n    reason: old\n`);
    const third = parseReport(
      (await runBulkhead(['scan', '--db', db, '-q', '-f', 'json', '--ignore-file', yaml, root])).stdout,
    );
    assert.ok(third.findings.some((f) => f.ruleId === ignored));
    assert.ok(third.diagnostics.some((d) => d.message.includes('expired on 2020-01-01')));
  });

  it("scans the host's own root filesystem: runc, containerd and docker are packages like any other", async () => {
    const result = await runBulkhead(['scan', '--list-packages', '/']);
    assert.equal(result.code, 0, result.stderr);
    const names = new Set(result.stdout.split('\n').map((line) => line.split('\t')[0]));
    for (const name of ['runc', 'containerd', 'docker.io'])
      assert.ok(names.has(name), `${name} found on the host`);
  });
});

describe('bulkhead scan on a real engine', engineSuite, () => {
  let engine: SharedEngine;
  let rootfs: DebianRootfs;
  let images: DebianImages;
  let dir: string;
  let db: string;
  let secretsImage: string;

  before(async () => {
    engine = sharedEngine();
    dir = mkdtempSync(join(tmpdir(), 'bh-scan-'));
    db = join(dir, 'vulndb.sqlite');
    const imported = await runBulkhead(['db', 'import', '--db', db, FEED]);
    assert.equal(imported.code, 0, imported.stderr);
    rootfs = debianRootfs();
    images = makeDebianImages(engine, rootfs, 'bulkhead-test/scan-debian12');
    // A small image with configuration problems: build arg secret in history, ENV secret, a key added then
    // deleted (still in its layer), root user.
    const context = join(dir, 'ctx');
    mkdirSync(context);
    execFileSync('openssl', ['genpkey', '-algorithm', 'ed25519', '-out', join(context, 'id_ed25519')], {
      stdio: 'ignore',
    });
    writeFileSync(
      join(context, 'Dockerfile'),
      [
        `FROM ${BUSYBOX_IMAGE}`,
        'ARG NPM_TOKEN',
        'ENV DB_PASSWORD=correct-horse-battery',
        'COPY id_ed25519 /root/.ssh/id_ed25519',
        'RUN echo built with $NPM_TOKEN > /dev/null && rm /root/.ssh/id_ed25519',
        'USER root',
        '',
      ].join('\n'),
    );
    secretsImage = 'bulkhead-test/scan-secrets:latest';
    execFileSync(
      '/usr/bin/docker',
      [
        '--host',
        engine.host,
        'build',
        '--network=none',
        '-q',
        '--build-arg',
        'NPM_TOKEN=npm_s3cr3tvalue',
        '-t',
        secretsImage,
        context,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DOCKER_BUILDKIT: '0' } },
    );
  });
  after(() => {
    images.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('docker-archive, OCI layout and the two-layer variant give the same packages and findings', async () => {
    const runs = await Promise.all(
      [images.dockerArchive, `oci:${images.ociLayout}`, images.twoLayerArchive].map((t) =>
        runBulkhead(['scan', '--db', db, '-q', '-f', 'json', t]),
      ),
    );
    const reports = runs.map((r) => {
      assert.equal(r.code, 0, r.stderr);
      return parseReport(r.stdout);
    });
    const [archive, oci, two] = reports;
    assert.ok(archive !== undefined && oci !== undefined && two !== undefined);
    for (const report of reports) {
      assert.equal(packageLines(report), rootfs.dpkgQuery);
      assert.deepEqual(report.diagnostics, []);
      assert.equal(report.artifact.os.codename, 'bookworm');
    }
    const keys = vulnKeys(archive);
    assert.ok(keys.length > 50, `the bookworm-derived feed finds vulnerabilities (${keys.length})`);
    assert.deepEqual(vulnKeys(oci), keys);
    assert.deepEqual(vulnKeys(two), keys);
    // binNMU: findings for bash-like packages are judged on the source version
    assert.ok(archive.findings.every((f) => f.target.kind !== 'package' || f.target.layer?.index === 0));
    assert.equal(two.artifact.layers.length, 2);
  });

  it('the table groups by layer, then package', async () => {
    const result = await runBulkhead(['scan', '--db', db, '-q', images.twoLayerArchive]);
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.split('\n');
    assert.match(lines[0] ?? '', /Debian GNU\/Linux 12 \(bookworm\), \d+ packages, 2 layers/);
    const layer0 = lines.findIndex((l) => l.startsWith('Layer 0'));
    const layer1 = lines.findIndex((l) => l.startsWith('Layer 1'));
    assert.ok(layer0 > 0 && layer1 > layer0);
    assert.match(lines[layer1] ?? '', /dpkg -i/);
    assert.ok(lines.slice(layer1).some((l) => l.includes('setuid root file /usr/bin/sudo')));
    assert.ok(lines.slice(layer0, layer1).some((l) => /^ {2}libexpat1 \S+ \(source expat /.test(l)));
    assert.match(lines.at(-2) ?? '', /^scan: \d+ vulnerabilities in \d+ packages/);
  });

  it('filters: --severity, --ignore-unfixed; --fail-on sets the exit code', async () => {
    const all = parseReport(
      (await runBulkhead(['scan', '--db', db, '-q', '-f', 'json', images.dockerArchive])).stdout,
    );
    const high = await runBulkhead([
      'scan',
      '--db',
      db,
      '-q',
      '-f',
      'json',
      '--severity',
      'critical,high',
      images.dockerArchive,
    ]);
    const highReport = parseReport(high.stdout);
    const failing = (r: ScanReport) => r.findings.filter((f) => f.outcome.kind === 'fail');
    assert.ok(failing(highReport).length > 0);
    assert.ok(failing(highReport).every((f) => f.severity === 'critical' || f.severity === 'high'));
    assert.ok(failing(highReport).length < failing(all).length);
    const fixedOnly = parseReport(
      (await runBulkhead(['scan', '--db', db, '-q', '-f', 'json', '--ignore-unfixed', images.dockerArchive]))
        .stdout,
    );
    assert.ok(fixedOnly.findings.every((f) => f.vulnerability?.fixedVersion !== null));
    const failOn = await runBulkhead(['scan', '--db', db, '-q', '--fail-on', 'high', images.dockerArchive]);
    assert.equal(failOn.code, 1);
  });

  it('SARIF 2.1.0 output has one result per failure', async () => {
    const result = await runBulkhead(['scan', '--db', db, '-q', '-f', 'sarif', images.dockerArchive]);
    assert.equal(result.code, 0, result.stderr);
    const sarif = z
      .object({
        version: z.literal('2.1.0'),
        runs: z.array(z.object({ results: z.array(z.object({ ruleId: z.string() })) })),
      })
      .parse(JSON.parse(result.stdout));
    const json = parseReport(
      (await runBulkhead(['scan', '--db', db, '-q', '-f', 'json', images.dockerArchive])).stdout,
    );
    assert.equal(
      sarif.runs[0]?.results.length,
      json.findings.filter((f) => f.outcome.kind === 'fail').length,
    );
  });

  it('an engine image by name (--host): secrets in ENV and history, a deleted key, root user', async () => {
    const result = await runBulkhead(
      ['scan', '--skip-db', '-q', '-f', 'json', '--host', engine.host, secretsImage],
      {
        env: { ...process.env, DOCKER_HOST: 'unix:///nonexistent.sock' },
      },
    );
    assert.equal(result.code, 0, result.stderr);
    const report = parseReport(result.stdout);
    const failed = report.findings.filter((f) => f.outcome.kind === 'fail');
    const ids = failed.map((f) => f.ruleId).sort();
    assert.deepEqual(ids, ['BH-IMG-001', 'BH-IMG-002', 'BH-IMG-003', 'BH-IMG-005']);
    const key = failed.find((f) => f.ruleId === 'BH-IMG-005');
    assert.equal(key?.target.path, '/root/.ssh/id_ed25519');
    assert.equal(key.target.layer?.index, 1);
    assert.match(key.target.layer.createdBy ?? '', /COPY/);
    assert.ok(!result.stdout.includes('correct-horse-battery') && !result.stdout.includes('npm_s3cr3tvalue'));
    // by image id too
    const id = engine.docker(['image', 'inspect', '--format', '{{.Id}}', secretsImage]).trim();
    const byId = await runBulkhead([
      'scan',
      '--skip-db',
      '-q',
      '-f',
      'json',
      '--host',
      engine.host,
      id.slice(7, 19),
    ]);
    assert.equal(byId.code, 0, byId.stderr);
    const byIdReport = parseReport(byId.stdout);
    assert.equal(byIdReport.artifact.source, 'engine');
    assert.deepEqual(
      byIdReport.findings
        .filter((f) => f.outcome.kind === 'fail')
        .map((f) => f.ruleId)
        .sort(),
      ids,
    );
    const table = await runBulkhead([
      'scan',
      '--skip-db',
      '-q',
      '--host',
      engine.host,
      '--fail-on',
      'high',
      secretsImage,
    ]);
    assert.equal(table.code, 1);
    assert.match(table.stdout, /deleted later but still in that layer/);
  });

  it('an unknown engine image is a clear error', async () => {
    const result = await runBulkhead([
      'scan',
      '--skip-db',
      '--host',
      engine.host,
      'bulkhead-test/no-such-image:1',
    ]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /image bulkhead-test\/no-such-image:1 not found in the engine at unix:\/\//);
  });

  describe('registry', () => {
    let registry: Registry;
    before(async () => {
      registry = await startRegistry({ user: 'ci', password: 'pa55word' });
      await registry.push(`docker-daemon:${secretsImage}`, 'team/secrets:1', engine.host);
      await registry.push(`docker-daemon:${images.twoLayer}`, 'team/debian:12', engine.host);
    });
    after(async () => {
      await registry.stop();
    });

    it('pulls with basic auth and gives the same packages and findings as the archive', async () => {
      const env = { ...process.env, BULKHEAD_REGISTRY_PASSWORD: 'pa55word' };
      const result = await runBulkhead(
        [
          'scan',
          '--db',
          db,
          '-q',
          '-f',
          'json',
          '--registry-user',
          'ci',
          `docker://${registry.address}/team/debian:12`,
        ],
        { env },
      );
      assert.equal(result.code, 0, result.stderr);
      const report = parseReport(result.stdout);
      assert.equal(report.artifact.source, 'registry');
      assert.equal(packageLines(report), rootfs.dpkgQuery);
      const archive = parseReport(
        (await runBulkhead(['scan', '--db', db, '-q', '-f', 'json', images.twoLayerArchive])).stdout,
      );
      assert.deepEqual(vulnKeys(report), vulnKeys(archive));
      assert.equal(report.artifact.packages.find((p) => p.name === 'sudo')?.layer, 1);
      const secrets = await runBulkhead(
        [
          'scan',
          '--skip-db',
          '-q',
          '-f',
          'json',
          '--registry-user',
          'ci',
          `${registry.address}/team/secrets:1`,
        ],
        { env: { ...env, DOCKER_HOST: engine.host } },
      );
      assert.equal(secrets.code, 0, secrets.stderr);
      assert.ok(
        parseReport(secrets.stdout).findings.some(
          (f) => f.ruleId === 'BH-IMG-005' && f.outcome.kind === 'fail',
        ),
      );
    });

    it('pulls through Bearer token auth from a token service', async () => {
      const tokenRegistry = await startRegistry({ user: 'robot', password: 't0ken-pass', auth: 'token' });
      try {
        await tokenRegistry.push(`docker-daemon:${secretsImage}`, 'team/secrets:1', engine.host);
        const ref = `docker://${tokenRegistry.address}/team/secrets:1`;
        const ok = await runBulkhead(
          ['scan', '--skip-db', '-q', '-f', 'json', '--registry-user', 'robot', ref],
          {
            env: { ...process.env, BULKHEAD_REGISTRY_PASSWORD: 't0ken-pass' },
          },
        );
        assert.equal(ok.code, 0, ok.stderr);
        const report = parseReport(ok.stdout);
        assert.equal(report.artifact.source, 'registry');
        assert.ok(report.findings.some((f) => f.ruleId === 'BH-IMG-002' && f.outcome.kind === 'fail'));
        const anonymous = await runBulkhead(['scan', '--skip-db', ref]);
        assert.equal(anonymous.code, 2);
        assert.match(anonymous.stderr, /requires authentication/);
        const wrong = await runBulkhead(['scan', '--skip-db', '--registry-user', 'robot', ref], {
          env: { ...process.env, BULKHEAD_REGISTRY_PASSWORD: 'wrong' },
        });
        assert.equal(wrong.code, 2);
        assert.match(wrong.stderr, /token server http:\/\/127\.0\.0\.1:\d+ answered 401/);
      } finally {
        await tokenRegistry.stop();
      }
    });

    it('refuses without credentials and with a wrong password, saying what to do', async () => {
      const anonymous = await runBulkhead([
        'scan',
        '--skip-db',
        `docker://${registry.address}/team/secrets:1`,
      ]);
      assert.equal(anonymous.code, 2);
      assert.match(
        anonymous.stderr,
        /requires authentication\n {2}fix: pass --registry-user NAME and set BULKHEAD_REGISTRY_PASSWORD/,
      );
      const wrong = await runBulkhead(
        ['scan', '--skip-db', '--registry-user', 'ci', `docker://${registry.address}/team/secrets:1`],
        {
          env: { ...process.env, BULKHEAD_REGISTRY_PASSWORD: 'nope' },
        },
      );
      assert.equal(wrong.code, 2);
      assert.match(wrong.stderr, /denied access to team\/secrets \(401\)/);
      const missing = await runBulkhead(
        ['scan', '--skip-db', '--registry-user', 'ci', `docker://${registry.address}/team/nothing:1`],
        {
          env: { ...process.env, BULKHEAD_REGISTRY_PASSWORD: 'pa55word' },
        },
      );
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /team\/nothing:1 not found on 127\.0\.0\.1/);
    });
  });
});
