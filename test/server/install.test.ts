// `bulkhead server install` (issue 14 item 6): systemd units (server + daily `db update`) that pass
// `systemd-analyze verify` and stay under an exposure score; Kubernetes manifests (Namespace, ServiceAccount, PVC,
// Deployment, Service, CronJob) valid against the OpenAPI schema of their kinds; the probes they name answer on a
// real server over SQLite and PostgreSQL; a PostgreSQL URL never lands in a unit or a manifest; and an agent
// enrols with the token file `agent install` names.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createEnrolmentToken, createTenant } from '../../src/server/access.js';
import { planServerInstall, serverManifests } from '../../src/server/install.js';
import { startServer } from '../../src/server/serve.js';
import type { StoreLocation } from '../../src/server/store.js';
import { bulkheadWrapper } from '../harness/bulkhead-wrapper.js';
import { runBulkhead } from '../harness/cli.js';
import {
  assertInvalid,
  at,
  edited,
  parseManifests,
  validateKubeObject,
  type InvalidCase,
  type KubeDoc,
} from '../harness/kube-schema.js';
import { startPostgres, type Postgres } from '../harness/postgres.js';
import { engineSuite, sharedEngine } from '../harness/shared-engine.js';
import { exposure, verifyUnits } from '../harness/systemd.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'bh-server-install-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});
let n = 0;
const fresh = (): string => {
  n += 1;
  const d = join(dir, `w${n}`);
  mkdirSync(d);
  return d;
};
const PG_URL = 'postgres://bulkhead:s3cret-pw@db.example:5432/bulkhead';

describe('bulkhead server install --format systemd', () => {
  it('SQLite: a DynamicUser service with its StateDirectory, a db update service and a daily timer', async () => {
    const out = fresh();
    const bin = bulkheadWrapper(out);
    const r = await runBulkhead(['server', 'install', '--bin', bin, '--write', out]);
    assert.equal(r.code, 0, r.stderr);
    const service = readFileSync(join(out, 'bulkhead-server.service'), 'utf8');
    assert.ok(
      service.includes(
        `\nExecStart=${bin} server --listen 127.0.0.1:8080 --data /var/lib/bulkhead-server --db /var/lib/bulkhead-server/vulndb.sqlite\n`,
      ),
      service,
    );
    for (const line of [
      'DynamicUser=yes',
      'User=bulkhead',
      'StateDirectory=bulkhead-server',
      'NoNewPrivileges=yes',
      'ProtectSystem=strict',
      'ProtectHome=yes',
      'PrivateUsers=yes',
      'CapabilityBoundingSet=',
      'SystemCallFilter=@system-service',
    ])
      assert.ok(service.includes(`\n${line}\n`), line);
    assert.doesNotMatch(service, /EnvironmentFile=/);
    const update = readFileSync(join(out, 'bulkhead-server-db-update.service'), 'utf8');
    assert.ok(update.includes(`\nExecStart=${bin} db update --db /var/lib/bulkhead-server/vulndb.sqlite\n`));
    // the same dynamic user and state directory: the server sees the file `db update` replaces
    assert.ok(update.includes('\nUser=bulkhead\n') && update.includes('\nStateDirectory=bulkhead-server\n'));
    const timer = readFileSync(join(out, 'bulkhead-server-db-update.timer'), 'utf8');
    assert.match(timer, /^OnCalendar=\*-\*-\* 03:00:00\nRandomizedDelaySec=1h\nPersistent=true\n/m);
    verifyUnits(
      ['bulkhead-server.service', 'bulkhead-server-db-update.service', 'bulkhead-server-db-update.timer'].map(
        (f) => join(out, f),
      ),
    );
    for (const unit of ['bulkhead-server.service', 'bulkhead-server-db-update.service']) {
      const score = exposure(join(out, unit));
      assert.ok(score <= 2.0, `${unit}: exposure ${score}`);
    }
  });

  it('PostgreSQL: the URL goes to a 0600 environment file, never into the unit; port 443 gets only NET_BIND_SERVICE', async () => {
    const out = fresh();
    const bin = bulkheadWrapper(out);
    const envFile = join(out, 'etc/server.env');
    const r = await runBulkhead([
      'server',
      'install',
      '--bin',
      bin,
      '--listen',
      '0.0.0.0:443',
      '--database',
      `${PG_URL}?sslmode=require&x=$HOME`,
      '--database-env-file',
      envFile,
      '--write',
      out,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const service = readFileSync(join(out, 'bulkhead-server.service'), 'utf8');
    assert.doesNotMatch(service, /s3cret|postgres:/);
    assert.doesNotMatch(r.stderr, /s3cret/);
    assert.ok(service.includes(`\nEnvironmentFile=${envFile}\n`));
    assert.ok(
      service.includes(
        `\nExecStart=${bin} server --listen 0.0.0.0:443 --db /var/lib/bulkhead-server/vulndb.sqlite\n`,
      ),
    );
    assert.ok(
      service.includes(
        '\nCapabilityBoundingSet=CAP_NET_BIND_SERVICE\nAmbientCapabilities=CAP_NET_BIND_SERVICE\n',
      ),
    );
    assert.doesNotMatch(service, /PrivateUsers=/);
    assert.equal(
      readFileSync(envFile, 'utf8'),
      `BULKHEAD_DATABASE_URL='${PG_URL}?sslmode=require&x=$HOME'\n`,
    );
    assert.equal(statSync(envFile).mode & 0o777, 0o600);
    verifyUnits([join(out, 'bulkhead-server.service')]);
    // printed, the environment file is shown with the other files (the user asked for it with --database)
    const printed = await runBulkhead(['server', 'install', '--database', PG_URL]);
    assert.match(printed.stdout, /^# \/etc\/bulkhead\/server\.env\nBULKHEAD_DATABASE_URL='postgres:/m);
  });

  it('refuses bad values with exit 2; a password is masked in the message', async () => {
    const cases: readonly (readonly [readonly string[], RegExp])[] = [
      [['--listen', 'localhost'], /--listen localhost is not ADDR:PORT/],
      [['--listen', '127.0.0.1:99999'], /is not ADDR:PORT/],
      [['--data', '/srv/bulkhead'], /--data \/srv\/bulkhead is not a directory under \/var\/lib/],
      [['--data', '/var/lib/bh', '--database', PG_URL], /--data and --database are exclusive/],
      [
        ['--database', 'mysql://u:hunter2@db/x'],
        /--database mysql:\/\/u:\*\*\*@db\/x is not a postgres:\/\/ URL/,
      ],
      [['--database', "postgres://u:it's@db/x"], /contains a quote or a control character/],
      [
        ['--format', 'kubernetes', '--listen', '127.0.0.1:8080'],
        /in a pod the server must listen on every address/,
      ],
      [['--format', 'kubernetes', '--data', '/var/lib/x'], /--data is for --format systemd/],
      [['--format', 'kubernetes', '--storage', '10 GB'], /--storage "10 GB" is not a Kubernetes quantity/],
      [
        ['--format', 'kubernetes', '--update-schedule', 'daily'],
        /--update-schedule "daily" is not a cron schedule/,
      ],
      [['--format', 'kubernetes', '--update-schedule', '0 3 * *'], /is not a cron schedule/],
      [['--format', 'kubernetes', '--namespace', 'a_b'], /is not a DNS-1123 label/],
      [
        ['--format', 'kubernetes', '--image', 'repo/Name:tag'],
        /--image "repo\/Name:tag": invalid image reference/,
      ],
    ];
    for (const [args, message] of cases) {
      const r = await runBulkhead(['server', 'install', ...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}`);
      assert.match(r.stderr, message, args.join(' '));
      assert.doesNotMatch(r.stderr, /hunter2/);
      assert.equal(r.stdout, '');
    }
  });
});

describe('bulkhead server install --format kubernetes', () => {
  const kube = async (
    extra: readonly string[] = [],
  ): Promise<{ docs: KubeDoc[]; stdout: string; stderr: string }> => {
    const r = await runBulkhead(['server', 'install', '--format', 'kubernetes', ...extra]);
    assert.equal(r.code, 0, r.stderr);
    return { docs: parseManifests(r.stdout), stdout: r.stdout, stderr: r.stderr };
  };
  const byKind = (docs: readonly KubeDoc[], kind: string): KubeDoc => {
    const doc = docs.find((d) => d.kind === kind);
    assert.ok(doc !== undefined, kind);
    return doc;
  };

  it('every object is valid against its Kubernetes schema, for SQLite and for PostgreSQL', async () => {
    for (const extra of [
      [],
      ['--database', PG_URL, '--listen', '0.0.0.0:9090', '--storage', '2Gi'],
      ['--update-schedule', '@daily', '--namespace', 'fleet'],
    ]) {
      const { docs } = await kube(extra);
      assert.deepEqual(
        docs.map((d) => d.kind),
        ['Namespace', 'ServiceAccount', 'PersistentVolumeClaim', 'Deployment', 'Service', 'CronJob'],
      );
      for (const doc of docs) validateKubeObject(doc);
    }
  });

  it('SQLite: the Deployment keeps its data on the PVC, probes the health endpoints, runs non-root', async () => {
    const { docs } = await kube();
    const deployment = byKind(docs, 'Deployment');
    const pod = at(deployment, 'spec', 'template', 'spec');
    const c = at(pod, 'containers', 0);
    const podLabels = at(deployment, 'spec', 'template', 'metadata', 'labels');
    assert.deepEqual(at(c, 'args'), [
      'server',
      '--listen',
      '0.0.0.0:8080',
      '--data',
      '/var/lib/bulkhead/server',
      '--db',
      '/var/lib/bulkhead/vulndb.sqlite',
    ]);
    assert.equal(at(deployment, 'spec', 'strategy', 'type'), 'Recreate');
    assert.deepEqual(at(deployment, 'spec', 'selector', 'matchLabels'), podLabels);
    assert.equal(at(c, 'readinessProbe', 'httpGet', 'path'), '/api/v1/health/ready');
    assert.equal(at(c, 'livenessProbe', 'httpGet', 'path'), '/api/v1/health/live');
    assert.equal(at(c, 'readinessProbe', 'httpGet', 'port'), at(c, 'ports', 0, 'name'));
    assert.equal(at(pod, 'securityContext', 'runAsNonRoot'), true);
    assert.deepEqual(at(c, 'securityContext', 'capabilities'), { drop: ['ALL'] });
    assert.equal(at(c, 'securityContext', 'readOnlyRootFilesystem'), true);
    assert.equal(at(c, 'securityContext', 'allowPrivilegeEscalation'), false);
    assert.equal(
      at(pod, 'volumes', 0, 'persistentVolumeClaim', 'claimName'),
      at(byKind(docs, 'PersistentVolumeClaim'), 'metadata', 'name'),
    );
    assert.deepEqual(at(byKind(docs, 'Service'), 'spec', 'selector'), podLabels);
    assert.equal(
      at(byKind(docs, 'Namespace'), 'metadata', 'labels', 'pod-security.kubernetes.io/enforce'),
      'restricted',
    );
    const cron = byKind(docs, 'CronJob');
    assert.equal(at(cron, 'spec', 'concurrencyPolicy'), 'Forbid');
    assert.equal(at(cron, 'spec', 'schedule'), '17 3 * * *');
    const job = at(cron, 'spec', 'jobTemplate', 'spec', 'template', 'spec');
    assert.deepEqual(at(job, 'containers', 0, 'args'), [
      'db',
      'update',
      '--db',
      '/var/lib/bulkhead/vulndb.sqlite',
    ]);
    // the ReadWriteOnce volume: the job runs on the server pod's node
    assert.deepEqual(
      at(
        job,
        'affinity',
        'podAffinity',
        'requiredDuringSchedulingIgnoredDuringExecution',
        0,
        'labelSelector',
        'matchLabels',
      ),
      podLabels,
    );
    assert.deepEqual(
      docs,
      JSON.parse(JSON.stringify(serverManifests(planServerInstall({ format: 'kubernetes', command: [] })))),
    );
  });

  it('PostgreSQL: DATABASE_URL comes from a Secret; the URL is in no manifest, its password nowhere', async () => {
    const { docs, stdout, stderr } = await kube(['--database', PG_URL]);
    assert.doesNotMatch(stdout, /s3cret/);
    assert.doesNotMatch(stderr, /s3cret/);
    assert.match(
      stderr,
      /next: kubectl -n bulkhead create secret generic bulkhead-database --from-literal=url='postgres:\/\/bulkhead:\*\*\*@db\.example:5432\/bulkhead'/,
    );
    const c = at(byKind(docs, 'Deployment'), 'spec', 'template', 'spec', 'containers', 0);
    assert.deepEqual(at(c, 'env', 1), {
      name: 'BULKHEAD_DATABASE_URL',
      valueFrom: { secretKeyRef: { name: 'bulkhead-database', key: 'url' } },
    });
    assert.ok(!(at(c, 'args') as string[]).includes('--data'));
  });

  it('a broken Deployment, CronJob or Service fails validation (the check can fail)', async () => {
    const { docs } = await kube();
    const probe = ['spec', 'template', 'spec', 'containers', 0, 'readinessProbe', 'httpGet', 'port'];
    const cases: readonly InvalidCase[] = [
      [
        'a concurrency policy of another name',
        edited(byKind(docs, 'CronJob'), ['spec', 'concurrencyPolicy'], 'Never'),
        /concurrencyPolicy must be equal to one of the allowed values/,
      ],
      [
        'a CronJob without a schedule',
        edited(byKind(docs, 'CronJob'), ['spec', 'schedule']),
        /must have required property schedule/,
      ],
      ['a probe port as an object', edited(byKind(docs, 'Deployment'), probe, { name: 'http' }), /port/],
      [
        'replicas as text',
        edited(byKind(docs, 'Deployment'), ['spec', 'replicas'], 'one'),
        /replicas must be integer/,
      ],
      [
        'a Service port without a number',
        edited(byKind(docs, 'Service'), ['spec', 'ports', 0, 'port']),
        /must have required property port/,
      ],
      [
        'a kind with no schema here',
        { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' } },
        /no schema here/,
      ],
    ];
    assertInvalid(cases);
  });
});

describe('the probes `server install` names answer on a real server', () => {
  let pg: Postgres | undefined;
  before(async () => {
    pg = await startPostgres();
  });
  after(async () => {
    await pg?.stop();
  });
  const container = at(
    serverManifests(planServerInstall({ format: 'kubernetes', command: [] })).find(
      (d) => d.kind === 'Deployment',
    ),
    'spec',
    'template',
    'spec',
    'containers',
    0,
  );
  const paths = [
    at(container, 'livenessProbe', 'httpGet', 'path'),
    at(container, 'readinessProbe', 'httpGet', 'path'),
  ].map(String);

  for (const backend of ['sqlite', 'postgres'] as const) {
    it(`on ${backend}: ${paths.join(' and ')} answer 200 without a token`, async () => {
      const location: StoreLocation =
        backend === 'sqlite'
          ? { kind: 'sqlite', dir: join(fresh(), 'data') }
          : { kind: 'postgres', url: pg?.url ?? '' };
      const server = await startServer({
        listen: '127.0.0.1:0',
        location,
        vulndbPath: join(dir, 'no-vulndb.sqlite'),
        watchMs: 3_600_000,
      });
      try {
        for (const path of paths) {
          const res = await fetch(`${server.url}${path}`);
          assert.equal(res.status, 200, path);
          assert.equal(((await res.json()) as { status: string }).status, 'ok');
        }
        const ready = (await (await fetch(`${server.url}/api/v1/health/ready`)).json()) as Record<
          string,
          unknown
        >;
        assert.deepEqual(ready, { status: 'ok', store: backend, vulndb: false });
      } finally {
        await server.close();
      }
    });
  }
});

describe('an agent enrols with the token file `agent install` names', engineSuite, () => {
  it('reads --token-file once, enrols, pushes; the next run needs no token', async () => {
    const engine = sharedEngine();
    const work = fresh();
    const server = await startServer({
      listen: '127.0.0.1:0',
      location: { kind: 'sqlite', dir: join(work, 'data') },
      vulndbPath: join(work, 'none.sqlite'),
      watchMs: 3_600_000,
    });
    try {
      await createTenant(server.store.db, 'ops', [{}]);
      const tokenFile = join(work, 'agent-enrol-token');
      writeFileSync(
        tokenFile,
        `${(await createEnrolmentToken(server.store.db, 'ops', { site: 'lab' })).token}\n`,
        {
          mode: 0o600,
        },
      );
      const args = [
        'agent',
        '--once',
        '--server',
        server.url,
        '--token-file',
        tokenFile,
        '--state',
        join(work, 'state'),
        '--root',
        join(ROOT, 'test/fixtures/hosts/hardened'),
        '-H',
        engine.host,
        '--name',
        'host-t',
      ];
      const first = await runBulkhead(args);
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stderr, /enrolled with http:\/\/127\.0\.0\.1:\d+ as host [0-9a-f]{12}/);
      assert.match(first.stdout, /delivered 1/);
      // enrolled: the file may go (the Secret is optional, the token used)
      rmSync(tokenFile);
      const second = await runBulkhead(args);
      assert.equal(second.code, 0, second.stderr);
      assert.doesNotMatch(second.stderr, /enrolled/);
    } finally {
      await server.close();
    }
  });
});
