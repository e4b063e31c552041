// `db update` and `db import` lose nothing (issue 9 items 15, 16): an update of some source groups keeps the others
// and says what it replaced; concurrent writers on one file are serialised by a lock, so both imports land; a
// killed writer's lock and temp files are cleaned on the next run; an unwritable directory is named with the fix.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { withWriteLock } from '../../src/vulndb/write-lock.js';
import { runBulkhead } from '../harness/cli.js';

const DATA = join(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'vulndb');
const DEBIAN = join(DATA, 'debian', 'bookworm-derived.json');
const ALPINE = join(DATA, 'alpine', 'secdb-legacy-json-derived', 'v3.9', 'main.json');
const RUN = join(import.meta.dirname, '..', '..', 'src', 'cli', 'run.ts');

function sources(db: string): string[] {
  const handle = new Database(db, { readonly: true });
  try {
    return handle
      .prepare<[], { name: string }>('SELECT name FROM sources ORDER BY name')
      .all()
      .map((r) => r.name);
  } finally {
    handle.close();
  }
}

function spawnCli(args: readonly string[]): {
  done: Promise<{ code: number | null; stderr: string }>;
  pid: number;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', RUN, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  return {
    pid: child.pid ?? 0,
    done: new Promise((resolve) => {
      child.on('close', (code) => {
        resolve({ code, stderr });
      });
    }),
  };
}

let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'bh-db-writers-'));
});
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('item 15: db update --only keeps the other groups', () => {
  it('--only debian replaces the Debian sources and keeps Alpine, saying so', async () => {
    const db = join(dir, 'partial.sqlite');
    assert.equal((await runBulkhead(['db', 'import', '--db', db, DEBIAN, ALPINE])).code, 0);
    const before = sources(db);
    assert.ok(
      before.some((s) => s.startsWith('alpine')),
      before.join(' '),
    );
    const r = await runBulkhead([
      'db',
      'update',
      '--db',
      db,
      '-q',
      '--only',
      'debian',
      '--source',
      `debian=${pathToFileURL(DEBIAN).href}`,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const after = sources(db);
    assert.deepEqual(
      after.filter((s) => s.startsWith('alpine')),
      before.filter((s) => s.startsWith('alpine')),
    );
    assert.match(r.stdout, /^replaced .*\(debian\); kept alpine/m);
    const fresh = await runBulkhead([
      'db',
      'update',
      '--db',
      db,
      '-q',
      '--fresh',
      '--only',
      'debian',
      '--source',
      `debian=${pathToFileURL(DEBIAN).href}`,
    ]);
    assert.equal(fresh.code, 0, fresh.stderr);
    assert.equal(
      sources(db).some((s) => s.startsWith('alpine')),
      false,
      '--fresh starts from an empty database',
    );
  });
});

describe('item 16: concurrent writers, killed writers, unwritable directories', () => {
  it('a lock file still being written (empty) is waited for, not taken as a dead writer', async () => {
    // another writer has created the lock and not yet written its pid, writes it, and releases the lock later
    const target = join(dir, 'lock-race.sqlite');
    const lock = `${target}.lock`;
    writeFileSync(lock, '');
    let released = false;
    const holder = setTimeout(() => {
      writeFileSync(lock, `${process.pid}\n`);
    }, 150);
    const release = setTimeout(() => {
      released = true;
      rmSync(lock, { force: true });
    }, 500);
    try {
      const ran = await withWriteLock(target, () => Promise.resolve(released), { waitMs: 10_000 });
      assert.equal(ran, true, 'ran while the other writer still held the lock');
    } finally {
      clearTimeout(holder);
      clearTimeout(release);
    }
  });

  it('two concurrent imports into one file both land (the second waits for the first)', async () => {
    for (let trial = 0; trial < 3; trial += 1) {
      const db = join(dir, `concurrent-${trial}.sqlite`);
      const a = spawnCli(['db', 'import', '--db', db, DEBIAN]);
      const b = spawnCli(['db', 'import', '--db', db, ALPINE]);
      const [ra, rb] = await Promise.all([a.done, b.done]);
      assert.equal(ra.code, 0, ra.stderr);
      assert.equal(rb.code, 0, rb.stderr);
      const names = sources(db);
      assert.ok(
        names.some((s) => s.startsWith('alpine')),
        `trial ${trial}: ${names.join(' ')}`,
      );
      assert.ok(
        names.some((s) => s.startsWith('debian')),
        `trial ${trial}: ${names.join(' ')}`,
      );
    }
  });

  it('a writer killed mid-import leaves files the next run removes', async () => {
    const sub = mkdtempSync(join(dir, 'killed-'));
    const db = join(sub, 'vulndb.sqlite');
    // what a kill -9 between lock and rename leaves: the lock and a half-written temp, of a pid that is gone
    const dead = spawnCli(['--version']);
    await dead.done;
    writeFileSync(`${db}.lock`, `${dead.pid}\n`);
    writeFileSync(join(sub, `.vulndb.sqlite.${dead.pid}.1700000000000.tmp`), 'half a database');
    writeFileSync(join(sub, `.vulndb.sqlite.${dead.pid}.1700000000000.tmp-journal`), 'journal');
    const r = await runBulkhead(['db', 'import', '--db', db, ALPINE]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(readdirSync(sub), ['vulndb.sqlite']);
  });

  it('a real kill -9 during an import: the next import cleans up and succeeds', async () => {
    const sub = mkdtempSync(join(dir, 'kill9-'));
    const db = join(sub, 'vulndb.sqlite');
    const victim = spawnCli(['db', 'import', '--db', db, DATA]);
    const deadline = Date.now() + 60_000;
    while (!existsSync(`${db}.lock`) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    process.kill(victim.pid, 'SIGKILL');
    await victim.done;
    const r = await runBulkhead(['db', 'import', '--db', db, ALPINE]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(readdirSync(sub), ['vulndb.sqlite']);
  });

  it('an unwritable database directory names the path and the fix', async () => {
    // sysfs refuses new files even to root: a directory no user can write
    const r = await runBulkhead(['db', 'import', '--db', '/sys/vulndb.sqlite', ALPINE]);
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /^bulkhead: cannot write the database in \/sys \(EACCES: permission denied\)\n {2}fix: make \/sys writable for this user, or choose a writable location with --db PATH/,
    );
  });
});
