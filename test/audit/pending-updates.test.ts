// The pendingUpdates fact and BH-H-042 on fixture host trees against the shared Debian 12 dataset: a host with an
// old curl lacks exactly the curl fixes the dataset lists above its version; the updated twin lacks none.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import { computePendingUpdates } from '../../src/collect/pending-updates.js';
import { buildVulnDb, openVulnDb, type VulnDb } from '../../src/vulndb/db.js';
import { FeedImporter } from '../../src/vulndb/import.js';

const DATASET = resolve(import.meta.dirname, '../../../shared/data/vulndb/debian/bookworm-derived.json');
const work = mkdtempSync(join(tmpdir(), 'bh-pending-'));
let db: VulnDb;

before(async () => {
  const path = join(work, 'db.sqlite');
  await buildVulnDb(path, { merge: false, toolVersion: 't' }, (w) => {
    w.transaction(() => {
      new FeedImporter(w).addPath(DATASET);
    });
  });
  db = openVulnDb(path);
});
after(() => {
  db.close();
  rmSync(work, { recursive: true, force: true });
});

function host(name: string, curl: string): string {
  const root = join(work, name);
  const files: Record<string, string> = {
    'etc/os-release':
      'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n',
    'var/lib/dpkg/status': `Package: curl\nStatus: install ok installed\nArchitecture: amd64\nVersion: ${curl}\n\nPackage: libcurl4\nStatus: install ok installed\nArchitecture: amd64\nSource: curl\nVersion: ${curl}\n\n`,
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

/** From the dataset alone: curl CVEs fixed in bookworm, by fixed version. */
function curlFixes(): [string, string][] {
  const data = JSON.parse(readFileSync(DATASET, 'utf8')) as Record<
    string,
    Record<string, { releases: Record<string, { status: string; fixed_version?: string }> }>
  >;
  return Object.entries(data['curl'] ?? {}).flatMap(([cve, v]) => {
    const r = v.releases['bookworm'];
    return r?.status === 'resolved' && r.fixed_version !== undefined && r.fixed_version !== '0'
      ? [[cve, r.fixed_version] as [string, string]]
      : [];
  });
}

describe('pending security updates (BH-H-042 fact)', () => {
  it('an old curl lacks every later curl fix, for both binary packages', () => {
    const fact = computePendingUpdates(host('old', '7.88.1-10+deb12u5'), db);
    assert.equal(fact.state, 'known');
    const expected = curlFixes()
      .map(([cve]) => cve)
      .sort();
    assert.ok(expected.length > 0);
    const names = fact.value.packages.map((p) => p.name).sort();
    assert.deepEqual(names, ['curl', 'libcurl4']);
    for (const p of fact.value.packages) {
      assert.deepEqual([...p.cves].sort(), expected, p.name);
      assert.equal(p.installed, '7.88.1-10+deb12u5');
    }
  });

  it('the updated twin lacks none', () => {
    const newest = curlFixes()
      .map(([, fixed]) => fixed)
      .sort()
      .at(-1);
    assert.ok(newest !== undefined);
    const fact = computePendingUpdates(host('new', newest), db);
    assert.equal(fact.state, 'known');
    assert.deepEqual(fact.value.packages, []);
    assert.equal(fact.value.installed, 2);
  });

  it('no database and no package database are unknown with the reason', () => {
    const none = computePendingUpdates(host('nodb', '7.88.1-10+deb12u5'), 'no vulnerability database given');
    assert.equal(none.state, 'unknown');
    const empty = join(work, 'empty');
    mkdirSync(join(empty, 'etc'), { recursive: true });
    writeFileSync(join(empty, 'etc/os-release'), 'ID=debian\nVERSION_CODENAME=bookworm\n');
    const fact = computePendingUpdates(empty, db);
    assert.equal(fact.state, 'unknown');
  });
});
