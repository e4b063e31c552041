// Vulnerability DB importers against the shared feeds: Debian tracker statuses, DSA/DLA aliases, Alpine secdb
// (JSON, YAML, legacy, one-package files, messy ids), OSV (Debian, Alpine, Ubuntu), and hostile inputs.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { deflateRawSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { BulkheadError } from '../../src/shared/errors.js';
import { buildVulnDb, openVulnDb, type AdvisoryRow, type VulnDb } from '../../src/vulndb/db.js';
import { FeedImporter, MAX_RECORD_BYTES, type ImportReport } from '../../src/vulndb/import.js';

const DATA = resolve(import.meta.dirname, '../../../shared/data/vulndb');
const work = mkdtempSync(join(tmpdir(), 'bh-db-import-'));
after(() => {
  rmSync(work, { recursive: true, force: true });
});

let counter = 0;
/** Builds a fresh database from the given files/dirs; returns it opened plus the import report. */
async function build(...inputs: string[]): Promise<{ db: VulnDb; report: ImportReport; path: string }> {
  const path = join(work, `db-${counter++}.sqlite`);
  const report = await buildVulnDb(path, { merge: false, toolVersion: 'test' }, (w) =>
    w.transaction(() => {
      const importer = new FeedImporter(w);
      for (const input of inputs) importer.addPath(input);
      importer.flush();
      return importer.report;
    }),
  );
  return { db: openVulnDb(path), report, path };
}

function rows(db: VulnDb, ecosystem: string, release: string, pkg: string): readonly AdvisoryRow[] {
  const id = db.releaseId(ecosystem, release);
  assert.ok(id !== undefined, `no release ${ecosystem} ${release}`);
  return db.lookup(id, pkg);
}

function find(list: readonly AdvisoryRow[], id: string): AdvisoryRow {
  const row = list.find((r) => r.vulnerability === id);
  assert.ok(row !== undefined, `${id} not found among ${list.map((r) => r.vulnerability).join(' ')}`);
  return row;
}

describe('Debian security tracker JSON', () => {
  it('imports bookworm-derived.json: 123 resolved advisories with urgency as severity', async () => {
    const { db, report } = await build(join(DATA, 'debian/bookworm-derived.json'));
    assert.equal(report.sources[0]?.stats.records, 123);
    assert.equal(report.sources[0].stats.skipped, 0);
    const apt = rows(db, 'debian', 'bookworm', 'apt');
    assert.deepEqual(apt.map((r) => [r.vulnerability, r.status, r.fixed, r.severity]).sort(), [
      ['CVE-2020-27350', 'fixed', '2.1.13', 'medium'],
      ['CVE-2020-3810', 'fixed', '2.1.2', 'high'],
      ['CVE-2026-109518', 'fixed', '2.6.2', 'medium'],
    ]);
    assert.equal(db.metadata().advisories, 123);
    db.close();
  });

  it('maps every status: fixed, "0" not affected, open, no-dsa minor, unimportant', async () => {
    const { db, report } = await build(
      join(DATA, 'debian/fixtures/tracker-json/osvdev-debian_security_tracker_mock.json'),
      join(DATA, 'debian/fixtures/tracker-json/vulnerablecode-debian.json'),
      join(DATA, 'debian/fixtures/tracker-json/vunnel-debian.json'),
    );
    const mock = report.sources.find((s) => s.name.includes('osvdev'));
    assert.equal(mock?.stats.notAffected, 5, 'fixed_version "0" means not affected');
    // apparmor CVE-2016-1585: open + unimportant in bookworm -> minor, no fix; fixed in sid
    const bookworm = find(rows(db, 'debian', 'bookworm', 'apparmor'), 'CVE-2016-1585');
    assert.equal(bookworm.status, 'minor');
    assert.equal(bookworm.fixed, null);
    assert.equal(bookworm.severity, 'info');
    assert.equal(find(rows(db, 'debian', 'sid', 'apparmor'), 'CVE-2016-1585').status, 'fixed');
    // "0" never becomes an advisory
    assert.equal(
      rows(db, 'debian', 'bookworm', 'apparmor').some((r) => r.vulnerability === 'CVE-2014-1424'),
      false,
    );
    // vulnerablecode: open + nodsa "Minor issue" -> minor
    const minor = db
      .releases()
      .flatMap((r) => {
        const id = db.releaseId(r.ecosystem, r.release);
        return id === undefined
          ? []
          : ['librsync', 'mimetex', 'atomicparsley'].flatMap((p) => db.lookup(id, p));
      })
      .filter((r) => r.status === 'minor');
    assert.ok(minor.length >= 4, `expected no-dsa entries as minor, got ${minor.length}`);
    // "releases": [] in vunnel's chromium-browser entry is malformed: skipped and counted, not fatal
    const vunnel = report.sources.find((s) => s.name.includes('vunnel'));
    assert.equal(vunnel?.stats.skipped, 1);
    assert.match(vunnel.stats.reasons[0] ?? '', /chromium-browser CVE-2022-0358/);
    // urgency "high**" (from NVD) still maps to high
    assert.equal(find(rows(db, 'debian', 'buster', 'prototypejs'), 'CVE-2008-7220').severity, 'high');
    db.close();
  });

  it('adds DSA/DLA ids from the tracker lists as aliases', async () => {
    const { db, report } = await build(
      join(DATA, 'debian/bookworm-derived.json'),
      join(DATA, 'debian/security-tracker/data/DSA/list'),
      join(DATA, 'debian/security-tracker/data/DLA/list'),
    );
    assert.deepEqual(
      report.sources.map((s) => s.format),
      ['debian-tracker', 'debian-advisory-list', 'debian-advisory-list'],
    );
    const bzip2 = find(rows(db, 'debian', 'bookworm', 'bzip2'), 'CVE-2019-12900');
    assert.ok(
      bzip2.aliases.some((a) => /^D[SL]A-/.test(a)),
      `aliases: ${bzip2.aliases.join(' ')}`,
    );
    db.close();
  });
});

describe('Alpine secdb', () => {
  it('imports claircore v3.10 community JSON (keys not in version order)', async () => {
    const { db } = await build(join(DATA, 'alpine/fixtures/claircore-v3.10-community.json'));
    const botan = rows(db, 'alpine', '3.10', 'botan');
    assert.deepEqual(botan.map((r) => [r.vulnerability, r.fixed]).sort(), [
      ['CVE-2018-12435', '2.7.0-r0'],
      ['CVE-2018-20187', '2.9.0-r0'],
      ['CVE-2018-9127', '2.5.0-r0'],
      ['CVE-2018-9860', '2.6.0-r0'],
    ]);
    assert.equal(find(rows(db, 'alpine', '3.10', 'chicken'), 'CVE-2016-6831').fixed, '4.11.1-r0');
    db.close();
  });

  it('reads vunnel YAML fixtures as strings (5.8-r0 stays 5.8-r0)', async () => {
    const { db } = await build(
      join(DATA, 'alpine/fixtures/vunnel-v3.15-main.yaml'),
      join(DATA, 'alpine/fixtures/vunnel-v3.15-community.yaml'),
    );
    assert.equal(find(rows(db, 'alpine', '3.15', 'zsh'), 'CVE-2019-20044').fixed, '5.8-r0');
    assert.equal(find(rows(db, 'alpine', '3.15', 'zlib'), 'CVE-2022-37434').fixed, '1.2.12-r2');
    assert.equal(find(rows(db, 'alpine', '3.15', 'alpine'), 'CVE-2021-38370').fixed, '2.25-r0');
    db.close();
  });

  it('cleans messy ids in the legacy v3.9 secdb', async () => {
    const { db } = await build(join(DATA, 'alpine/secdb-legacy-yaml/v3.9/main.yaml'));
    // "CVE 2018-16859" -> CVE-2018-16859
    assert.equal(find(rows(db, 'alpine', '3.9', 'ansible'), 'CVE-2018-16859').fixed, '2.7.3-r0');
    // "CVE-2017-17434-1" -> CVE-2017-17434
    find(rows(db, 'alpine', '3.9', 'rsync'), 'CVE-2017-17434');
    const xen = rows(db, 'alpine', '3.9', 'xen');
    // "CVE-2018-8897  XSA-260" -> CVE-2018-8897 with alias XSA-260; "CVE-????-?????  XSA-295" -> XSA-295
    assert.ok(find(xen, 'CVE-2018-8897').aliases.includes('XSA-260'));
    find(xen, 'XSA-295');
    assert.equal(
      xen.some((r) => r.vulnerability.includes('?')),
      false,
    );
    db.close();
    const v310 = await build(join(DATA, 'alpine/secdb-legacy-yaml/v3.10/main.yaml'));
    // "CVE-2018-14468 (FrameRelay)" -> CVE-2018-14468
    assert.equal(find(rows(v310.db, 'alpine', '3.10', 'tcpdump'), 'CVE-2018-14468').fixed, '4.9.3-r0');
    v310.db.close();
  });

  it('keeps a package whose secfixes has an empty version key (v3.6 heimdal "7.4.0-r0": "")', async () => {
    const { db, report } = await build(join(DATA, 'alpine/secdb-legacy-json-derived/v3.6/main.json'));
    assert.equal(report.sources[0]?.stats.skipped, 0);
    assert.equal(find(rows(db, 'alpine', '3.6', 'heimdal'), 'CVE-2017-17439').fixed, '7.1.0-r2');
    db.close();
  });

  it('gives the same advisories from the YAML and its JSON rendering', async () => {
    for (const branch of ['v3.5', 'v3.11']) {
      const a = await build(join(DATA, `alpine/secdb-legacy-yaml/${branch}`));
      const b = await build(join(DATA, `alpine/secdb-legacy-json-derived/${branch}`));
      const dump = (db: VulnDb): string[] => {
        const sqlite = new Database(db.path, { readonly: true });
        const out = sqlite
          .prepare<[], { k: string }>(
            `SELECT r.release || ' ' || a.package || ' ' || v.name || ' ' || a.fixed AS k
               FROM affected a JOIN vulns v ON v.id = a.vuln JOIN releases r ON r.id = a.release ORDER BY k`,
          )
          .all()
          .map((r) => r.k);
        sqlite.close();
        return out;
      };
      const yaml = dump(a.db);
      assert.ok(yaml.length > 100);
      assert.deepEqual(yaml, dump(b.db));
      a.db.close();
      b.db.close();
    }
  });

  it('imports vuln-list one-package files and Wolfi/Chainguard secdbs', async () => {
    const { db } = await build(join(DATA, 'alpine/vuln-list-percpkg'), join(DATA, 'wolfi'));
    const busybox = rows(db, 'alpine', '3.22', 'busybox');
    // "0" keys are not affected: never stored
    assert.equal(
      busybox.some((r) => r.vulnerability === 'CVE-2021-42373'),
      false,
    );
    assert.equal(find(busybox, 'CVE-2024-58251').fixed, '1.37.0-r20');
    assert.ok(rows(db, 'wolfi', 'rolling', 'busybox').length > 0);
    assert.ok(rows(db, 'chainguard', 'rolling', 'grafana').length > 0);
    db.close();
  });
});

describe('OSV records', () => {
  it('imports Debian, Alpine and Ubuntu records; Ubuntu Pro kept apart; withdrawn dropped', async () => {
    const { db, report } = await build(join(DATA, 'osv'));
    const osv = report.sources.find((s) => s.name === 'osv:osv');
    assert.ok(osv !== undefined);
    assert.ok(osv.stats.reasons.some((r) => r.includes('withdrawn')));
    const nginx = find(rows(db, 'debian', 'wheezy', 'nginx'), 'DSA-3029-1');
    assert.equal(nginx.fixed, '1.2.1-2.2+wheezy3');
    assert.deepEqual(nginx.aliases, ['CVE-2014-3616']);
    assert.equal(find(rows(db, 'alpine', '3.15', 'mariadb'), 'CVE-2022-27449').fixed, '10.6.8-r0');
    // UBUNTU-CVE-2021-3782 is stored under its CVE, with the Ubuntu id as alias and the Ubuntu priority
    const wayland = find(rows(db, 'ubuntu', '22.04', 'wayland'), 'CVE-2021-3782');
    assert.equal(wayland.fixed, '1.20.0-1ubuntu0.1');
    assert.equal(wayland.severity, 'medium');
    assert.ok(wayland.aliases.includes('UBUNTU-CVE-2021-3782'));
    assert.ok(db.releaseId('ubuntu', 'pro-16.04') !== undefined);
    // no fixed event: open
    assert.equal(find(rows(db, 'ubuntu', '22.04', 'zabbix'), 'CVE-2016-20013').status, 'open');
    db.close();
  });
});

// ---- hostile inputs ----

/** A minimal ZIP writer (stored or deflated entries, optionally ZIP64 records) for hostile-archive tests. */
function makeZip(
  entries: { name: string; data: Buffer; deflate?: boolean; declaredSize?: number }[],
  options: { zip64?: boolean } = {},
): Buffer {
  const zip64 = options.zip64 === true;
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const body = e.deflate === true ? deflateRawSync(e.data) : e.data;
    const name = Buffer.from(e.name);
    const size = e.declaredSize ?? e.data.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(e.deflate === true ? 8 : 0, 8);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const extra = Buffer.alloc(zip64 ? 28 : 0);
    if (zip64) {
      extra.writeUInt16LE(1, 0);
      extra.writeUInt16LE(24, 2);
      extra.writeBigUInt64LE(BigInt(size), 4);
      extra.writeBigUInt64LE(BigInt(body.length), 12);
      extra.writeBigUInt64LE(BigInt(offset), 20);
    }
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(45, 4);
    central.writeUInt16LE(45, 6);
    central.writeUInt16LE(e.deflate === true ? 8 : 0, 10);
    central.writeUInt32LE(zip64 ? 0xffffffff : body.length, 20);
    central.writeUInt32LE(zip64 ? 0xffffffff : size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt16LE(extra.length, 30);
    central.writeUInt32LE(zip64 ? 0xffffffff : offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name, extra);
    offset += 30 + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const tail: Buffer[] = [];
  if (zip64) {
    const record = Buffer.alloc(56);
    record.writeUInt32LE(0x06064b50, 0);
    record.writeBigUInt64LE(44n, 4);
    record.writeBigUInt64LE(BigInt(entries.length), 24);
    record.writeBigUInt64LE(BigInt(entries.length), 32);
    record.writeBigUInt64LE(BigInt(cd.length), 40);
    record.writeBigUInt64LE(BigInt(offset), 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    locator.writeBigUInt64LE(BigInt(offset + cd.length), 8);
    locator.writeUInt32LE(1, 16);
    tail.push(record, locator);
  }
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(zip64 ? 0xffff : entries.length, 8);
  end.writeUInt16LE(zip64 ? 0xffff : entries.length, 10);
  end.writeUInt32LE(zip64 ? 0xffffffff : cd.length, 12);
  end.writeUInt32LE(zip64 ? 0xffffffff : offset, 16);
  return Buffer.concat([...locals, cd, ...tail, end]);
}

const osvRecord = (id: string, pkg: string): Buffer =>
  Buffer.from(
    JSON.stringify({
      id,
      modified: '2024-01-01T00:00:00Z',
      affected: [
        {
          package: { ecosystem: 'Debian:12', name: pkg },
          ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.0-2' }] }],
        },
      ],
    }),
  );

describe('OSV all.zip', () => {
  it('imports every shared OSV record from one zip as one source, same as from the directory', async () => {
    const files = [
      'debian/DSA-3029-1.json',
      'alpine/CVE-2022-27449.alpine-affected.json',
      'ubuntu/vunnel-USN-5614-1.json',
      'ubuntu/vunnel-UBUNTU-CVE-2021-3782.json',
      'misc/osv-schema-linter-CVE-2018-5407.json',
    ];
    const zip = join(work, 'all.zip');
    writeFileSync(
      zip,
      makeZip(
        files.map((f) => ({
          name: f.split('/')[1] ?? f,
          data: readFileSync(join(DATA, 'osv', f)),
          deflate: true,
        })),
      ),
    );
    const { db, report } = await build(zip);
    assert.deepEqual(
      report.sources.map((s) => [s.name, s.format, s.stats.records, s.stats.skipped]),
      [['osv:all', 'osv-zip', 5, 0]],
    );
    assert.equal(find(rows(db, 'alpine', '3.8', 'openssl'), 'CVE-2018-5407').fixed, '1.0.2q-r0');
    assert.equal(find(rows(db, 'ubuntu', '20.04', 'wayland'), 'USN-5614-1').fixed, '1.18.0-1ubuntu0.1');
    db.close();
  });
});

describe('ZIP64 archives (OSV all.zip files with more than 65535 records use them)', () => {
  it('reads entries through the ZIP64 end of central directory and extra fields', async () => {
    const zip = join(work, 'all64.zip');
    writeFileSync(
      zip,
      makeZip(
        [
          {
            name: 'DSA-3029-1.json',
            data: readFileSync(join(DATA, 'osv/debian/DSA-3029-1.json')),
            deflate: true,
          },
          {
            name: 'CVE-2022-27449.json',
            data: readFileSync(join(DATA, 'osv/alpine/CVE-2022-27449.alpine-affected.json')),
          },
        ],
        { zip64: true },
      ),
    );
    const { db, report } = await build(zip);
    assert.deepEqual(
      report.sources.map((s) => [s.stats.records, s.stats.skipped]),
      [[2, 0]],
    );
    assert.equal(find(rows(db, 'debian', 'wheezy', 'nginx'), 'DSA-3029-1').fixed, '1.2.1-2.2+wheezy3');
    db.close();
  });

  it('a damaged ZIP64 record is a clear error naming the file', async () => {
    const zip = join(work, 'broken64.zip');
    const good = makeZip([{ name: 'a.json', data: osvRecord('DSA-1-1', 'a') }], { zip64: true });
    // point the locator somewhere that holds no ZIP64 record
    good.writeBigUInt64LE(3n, good.length - 22 - 20 + 8);
    writeFileSync(zip, good);
    await assert.rejects(build(zip), /broken64\.zip: not a readable zip archive: damaged ZIP64/);
  });
});

describe('hostile inputs give a clear error or a counted skip', () => {
  it('a zip with path traversal: the entry is skipped and counted, the rest imported', async () => {
    const zip = join(work, 'traversal.zip');
    writeFileSync(
      zip,
      makeZip([
        { name: '../../etc/evil.json', data: osvRecord('DSA-9999-1', 'evil') },
        { name: '/abs.json', data: osvRecord('DSA-9998-1', 'evil') },
        { name: 'ok/DSA-9997-1.json', data: osvRecord('DSA-9997-1', 'good'), deflate: true },
      ]),
    );
    const { db, report } = await build(zip);
    const stats = report.sources[0]?.stats;
    assert.equal(stats?.records, 1);
    assert.equal(stats.skipped, 2);
    assert.match(stats.reasons.join('\n'), /path traversal/);
    assert.equal(rows(db, 'debian', 'bookworm', 'good').length, 1);
    assert.equal(
      db.releaseId('debian', 'bookworm') !== undefined &&
        db.lookup(db.releaseId('debian', 'bookworm') ?? 0, 'evil').length,
      0,
    );
    db.close();
  });

  it('a huge record and a zip bomb are skipped and counted', async () => {
    const huge = Buffer.alloc(MAX_RECORD_BYTES + 10, 0x20);
    osvRecord('DSA-1-1', 'big').copy(huge);
    const bomb = Buffer.alloc(64 * 1024 * 1024, 0x20);
    osvRecord('DSA-2-1', 'bomb').copy(bomb);
    const zip = join(work, 'big.zip');
    writeFileSync(
      zip,
      makeZip([
        { name: 'huge.json', data: huge, deflate: true },
        // declares a small size but inflates to 64 MiB
        { name: 'bomb.json', data: bomb, deflate: true, declaredSize: 100 },
        { name: 'fine.json', data: osvRecord('DSA-3-1', 'fine') },
      ]),
    );
    const { db, report } = await build(zip);
    const stats = report.sources[0]?.stats;
    assert.equal(stats?.records, 1);
    assert.equal(stats.skipped, 2);
    db.close();
  });

  it('malformed feed JSON is an INPUT_INVALID error naming the file; the old database is kept', async () => {
    const { path } = await build(join(DATA, 'debian/bookworm-derived.json'));
    const bad = join(work, 'broken.json');
    writeFileSync(bad, '{"openssl": {"CVE-2024-1": {"releases": ');
    await assert.rejects(
      buildVulnDb(path, { merge: true, toolVersion: 'test' }, (w) => {
        new FeedImporter(w).addPath(bad);
      }),
      (e: unknown) =>
        e instanceof BulkheadError && e.code === 'INPUT_INVALID' && e.message.includes('broken.json'),
    );
    const db = openVulnDb(path);
    assert.equal(db.metadata().advisories, 123);
    db.close();
  });

  it('malformed records inside a valid feed are skipped and counted', async () => {
    const feed = join(work, 'tracker.json');
    writeFileSync(
      feed,
      JSON.stringify({
        openssl: {
          'CVE-2024-0001': {
            releases: {
              bookworm: { status: 'resolved', fixed_version: '3.0.13-1~deb12u1', urgency: 'high' },
            },
          },
          'CVE-2024-0002': {
            releases: { bookworm: { status: 'resolved', fixed_version: 'not a version!' } },
          },
          'CVE-2024-0003': { releases: { bookworm: { status: 'undetermined' } } },
          'CVE-2024-0004': 'garbage',
          'CVE-2024-0005': { releases: { bookworm: { status: 42 } } },
        },
        'Bad Name': { 'CVE-2024-0006': { releases: {} } },
      }),
    );
    const { db, report } = await build(feed);
    assert.equal(report.sources[0]?.stats.records, 1);
    assert.equal(report.sources[0].stats.skipped, 5);
    db.close();
  });

  it('an unrecognised file is an error when named, and an ignored entry inside a directory', async () => {
    const dir = mkdtempSync(join(work, 'mixed-'));
    writeFileSync(join(dir, 'notes.txt'), 'hello\n');
    writeFileSync(join(dir, 'rec.json'), osvRecord('DSA-5-1', 'x'));
    await assert.rejects(build(join(dir, 'notes.txt')), /not a vulnerability feed/);
    const { db, report } = await build(dir);
    assert.equal(report.ignored.length, 1);
    assert.equal(report.sources[0]?.stats.records, 1);
    db.close();
  });

  it('a missing database is DB_MISSING with a hint naming db update / db import', () => {
    assert.throws(
      () => openVulnDb(join(work, 'nope.sqlite')),
      (e: unknown) =>
        e instanceof BulkheadError &&
        e.code === 'DB_MISSING' &&
        (e.hint ?? '').includes('bulkhead db update') &&
        (e.hint ?? '').includes('bulkhead db import'),
    );
  });

  it('a corrupt file, a foreign SQLite file and a wrong schema version are DB_CORRUPT', async () => {
    const garbage = join(work, 'garbage.sqlite');
    writeFileSync(garbage, Buffer.alloc(8192, 0x5a));
    const foreign = join(work, 'foreign.sqlite');
    const f = new Database(foreign);
    f.exec('CREATE TABLE t (x)');
    f.close();
    const { path } = await build(join(DATA, 'alpine/fixtures/claircore-v3.10-community.json'));
    const old = new Database(path);
    old.prepare("UPDATE meta SET value = '999' WHERE key = 'schema_version'").run();
    old.close();
    const truncated = join(work, 'truncated.sqlite');
    const { path: good } = await build(join(DATA, 'debian/bookworm-derived.json'));
    writeFileSync(truncated, Buffer.from('SQLite format 3\u0000' + 'x'.repeat(200)));
    for (const p of [garbage, foreign, path, truncated]) {
      assert.throws(
        () => openVulnDb(p),
        (e: unknown) =>
          e instanceof BulkheadError && e.code === 'DB_CORRUPT' && (e.hint ?? '').includes('db update'),
        p,
      );
    }
    openVulnDb(good).close();
  });
});
