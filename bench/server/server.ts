// Fleet server benchmark (issue 14): simulated hosts push signed reports concurrently over HTTP (SQLite and a
// private PostgreSQL), then "hosts affected by CVE X" and the fleet page are timed (p50/p95), then a rematch of
// every stored inventory; RSS sampled throughout. Writes bench/results/server.md.
// Usage: node --import tsx bench/server/server.ts [--hosts 1000] [--containers 50] [--packages 200] [--images 100]
//        [--concurrency 16] [--budget-s 120] (each store stops pushing at the time budget and reports what it did)
import { generateKeyPairSync, createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runBulkhead } from '../../test/harness/cli.js';
import { startPostgres } from '../../test/harness/postgres.js';
import { createEnrolmentToken, createTenant } from '../../src/server/access.js';
import { enrolHost } from '../../src/server/ingest.js';
import { rematchStore } from '../../src/server/rematch.js';
import { startServer } from '../../src/server/serve.js';
import type { StoreLocation } from '../../src/server/store.js';
import { REPORT_PAYLOAD_TYPE, signEnvelope } from '../../src/shared/dsse.js';
import { REPORT_SCHEMA, type FleetReport, type ImageInventory } from '../../src/shared/fleet-report.js';
import { openVulnDb } from '../../src/vulndb/db.js';

const { values } = parseArgs({
  options: {
    hosts: { type: 'string', default: '1000' },
    containers: { type: 'string', default: '50' },
    packages: { type: 'string', default: '200' },
    images: { type: 'string', default: '100' },
    concurrency: { type: 'string', default: '16' },
    'budget-s': { type: 'string', default: '120' },
  },
});
const HOSTS = Number(values.hosts);
const CONTAINERS = Number(values.containers);
const PACKAGES = Number(values.packages);
const IMAGES = Number(values.images);
const CONCURRENCY = Number(values.concurrency);
const BUDGET_MS = Number(values['budget-s']) * 1000;
const FEED = join(import.meta.dirname, '../../../shared/data/vulndb/debian/bookworm-derived.json');

const hex = (n: number, width = 64): string => n.toString(16).padStart(width, '0');
const percentile = (xs: number[], p: number): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};

/** Images whose packages are real Debian source names from the feed at old versions, so many of them match. */
function makeImages(): ImageInventory[] {
  const sources = Object.keys(JSON.parse(readFileSync(FEED, 'utf8')) as Record<string, unknown>);
  return Array.from({ length: IMAGES }, (_, i) => ({
    digest: `sha256:${hex(i + 1)}`,
    ref: `registry.example/app-${i}:1.${i}`,
    os: {
      family: 'debian' as const,
      id: 'debian',
      versionId: '12',
      codename: 'bookworm',
      evidence: 'etc/os-release',
    },
    packages: Array.from({ length: PACKAGES }, (_, p) => {
      const source = sources[(i * 7 + p) % sources.length] ?? 'zlib';
      return {
        name: `${source}-bin${p}`,
        version: '0.1-1',
        sourceName: source,
        sourceVersion: '0.1-1',
        format: 'dpkg' as const,
      };
    }),
  }));
}

interface Result {
  store: string;
  pushed: number;
  seconds: number;
  perSecond: number;
  cveP50: number;
  cveP95: number;
  pageP50: number;
  pageP95: number;
  rematchMs: number;
  rematchImages: number;
  rssMb: number;
}

async function runOne(
  name: string,
  location: StoreLocation,
  vulndbPath: string,
  images: ImageInventory[],
): Promise<Result> {
  const server = await startServer({ listen: '127.0.0.1:0', location, vulndbPath, watchMs: 3_600_000 });
  let rss = 0;
  const sampler = setInterval(() => {
    rss = Math.max(rss, process.memoryUsage().rss);
  }, 200);
  try {
    const db = server.store.db;
    const { token: apiToken } = await createTenant(db, 'bench', [{}]);
    const hosts: { key: ReturnType<typeof generateKeyPairSync>['privateKey']; index: number }[] = [];
    for (let h = 0; h < HOSTS; h += 1) {
      const { privateKey } = generateKeyPairSync('ed25519');
      const token = await createEnrolmentToken(db, undefined, { rack: String(h % 20) });
      await enrolHost(db, {
        token,
        publicKey: createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString(),
        name: `host-${h}`,
        labels: {},
      });
      hosts.push({ key: privateKey, index: h });
    }
    // each host runs CONTAINERS containers over a rotating window of the image set
    const envelopes = hosts.map(({ key, index }) => {
      const used = new Map<string, ImageInventory>();
      const containers = Array.from({ length: CONTAINERS }, (_, c) => {
        const image = images[(index + c * 3) % images.length] ?? images[0];
        if (image === undefined) throw new Error('no images');
        used.set(image.digest, image);
        return {
          id: hex(index * 1000 + c, 64),
          name: `c${c}`,
          image: image.ref,
          digest: image.digest,
          running: true,
        };
      });
      const report: FleetReport = {
        schema: REPORT_SCHEMA,
        agentVersion: 'bench',
        createdAt: new Date().toISOString(),
        host: { name: `host-${index}`, labels: {} },
        audit: {
          findings: [
            {
              ruleId: 'BH-C-ROOT',
              severity: 'medium',
              title: 'root user',
              message: 'runs as root',
              group: 'container c0',
              target: 'container c0',
              outcome: 'fail',
            },
          ],
        },
        containers,
        images: [...used.values()],
        authz: [],
        events: [],
      };
      return JSON.stringify(signEnvelope(REPORT_PAYLOAD_TYPE, Buffer.from(JSON.stringify(report)), key));
    });
    const started = Date.now();
    let next = 0;
    let pushed = 0;
    const worker = async (): Promise<void> => {
      while (next < envelopes.length && Date.now() - started < BUDGET_MS) {
        const body = envelopes[next] ?? '';
        next += 1;
        const response = await fetch(`${server.url}/api/v1/reports`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        });
        await response.text();
        if (response.status !== 201) throw new Error(`push answered ${response.status}`);
        pushed += 1;
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const seconds = (Date.now() - started) / 1000;
    const timed = async (path: string, n: number): Promise<number[]> => {
      const out: number[] = [];
      for (let i = 0; i < n; i += 1) {
        const t = performance.now();
        const response = await fetch(`${server.url}${path}`, {
          headers: { authorization: `Bearer ${apiToken}` },
        });
        await response.text();
        if (response.status !== 200) throw new Error(`${path} answered ${response.status}`);
        out.push(performance.now() - t);
      }
      return out;
    };
    // the most common CVE among the stored findings
    const top = await db
      .selectFrom('findings')
      .select(['vulnerability', (eb) => eb.fn.countAll<number | string>().as('n')])
      .groupBy('vulnerability')
      .orderBy('n', 'desc')
      .limit(1)
      .executeTakeFirst();
    const cve = await timed(`/api/v1/cves/${top?.vulnerability ?? 'CVE-2000-0001'}`, 40);
    const page = await timed('/', 20);
    const vulndb = openVulnDb(vulndbPath);
    const rematch = await rematchStore(server.store, vulndb);
    vulndb.close();
    return {
      store: name,
      pushed,
      seconds,
      perSecond: pushed / seconds,
      cveP50: percentile(cve, 50),
      cveP95: percentile(cve, 95),
      pageP50: percentile(page, 50),
      pageP95: percentile(page, 95),
      rematchMs: rematch?.ms ?? -1,
      rematchImages: rematch?.images ?? 0,
      rssMb: Math.round(rss / 1048576),
    };
  } finally {
    clearInterval(sampler);
    await server.close();
  }
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'bh-bench-server-'));
  const pg = await startPostgres();
  try {
    const vulndbPath = join(work, 'vulndb.sqlite');
    const imported = await runBulkhead(['db', 'import', '--quiet', '--db', vulndbPath, FEED]);
    if (imported.code !== 0) throw new Error(imported.stderr);
    const images = makeImages();
    const load = loadavg()
      .map((l) => l.toFixed(1))
      .join(' ');
    const results = [
      await runOne('SQLite', { kind: 'sqlite', dir: join(work, 'sqlite') }, vulndbPath, images),
      await runOne('PostgreSQL', { kind: 'postgres', url: pg.url }, vulndbPath, images),
    ];
    const f = (n: number): string => n.toFixed(1);
    const lines = [
      '# Fleet server benchmark',
      '',
      `\`node --import tsx bench/server/server.ts --hosts ${HOSTS} --containers ${CONTAINERS} --packages ${PACKAGES} --images ${IMAGES} --concurrency ${CONCURRENCY} --budget-s ${BUDGET_MS / 1000}\``,
      '',
      `Simulated hosts: ${HOSTS} × ${CONTAINERS} containers over ${IMAGES} distinct images of ${PACKAGES} packages (real Debian source names from the shared bookworm feed, so findings exist); each report carries the inventories of the images it runs. ${CONCURRENCY} concurrent HTTP pushers on the same machine as the server; each store stops pushing at the time budget. Load average at start: ${load} (2 cores shared with other work). Run ${new Date().toISOString()}.`,
      '',
      '| store | reports pushed | seconds | reports/s | CVE query p50 / p95 ms | fleet page p50 / p95 ms | rematch (images) ms | peak RSS MiB |',
      '|---|---|---|---|---|---|---|---|',
      ...results.map(
        (r) =>
          `| ${r.store} | ${r.pushed} | ${f(r.seconds)} | ${f(r.perSecond)} | ${f(r.cveP50)} / ${f(r.cveP95)} | ${f(r.pageP50)} / ${f(r.pageP95)} | ${r.rematchMs} (${r.rematchImages}) | ${r.rssMb} |`,
      ),
      '',
      'RSS is the whole benchmark process (server, pushers and report generation in one Node process).',
      '',
    ];
    writeFileSync(join(import.meta.dirname, '../results/server.md'), lines.join('\n'));
    process.stdout.write(lines.join('\n'));
  } finally {
    await pg.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
