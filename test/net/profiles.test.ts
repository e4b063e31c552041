// The network section inside watch's profile files (src/net/profiles.ts, src/net/migrate.ts): learning writes only
// its own section (the exec learner's survives, also when both learn at once in two processes), the enforced section
// is re-read on change with file:line:column errors keeping the last good one, sections merge and diff, and the old
// separate files are migrated (merged, renamed to .migrated, never deleted; an invalid one reported and left alone).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { migrateLegacyNetworkProfiles } from '../../src/net/migrate.js';
import { diffNetworkSections, mergeSections, type NetworkSection } from '../../src/net/profile.js';
import { NetworkProfiles } from '../../src/net/profiles.js';
import {
  emptyProfile,
  learnExec,
  loadProfile,
  profileFile,
  saveProfile,
  type Profile,
} from '../../src/watch/profile.js';

const ROOT = join(import.meta.dirname, '..', '..');
const DIGEST = `sha256:${'d'.repeat(64)}`;
const T1 = '2026-12-01T10:00:00.000Z';
const T2 = '2026-12-01T11:00:00.000Z';

const edge = (
  workload: string,
  peer: string,
  port: number,
  count = 1,
  seen = T1,
): NetworkSection['outbound'][0] => ({
  workload,
  peer: { kind: 'workload', workload: peer },
  proto: 'tcp',
  port,
  count,
  firstSeen: seen,
  lastSeen: seen,
});
const section = (outbound: NetworkSection['outbound'], listening: number[] = []): NetworkSection => ({
  listening: listening.map((port) => ({ workload: 'web', proto: 'tcp', port, firstSeen: T1, lastSeen: T1 })),
  outbound,
  inbound: [],
});
const execProfile = (): Profile =>
  learnExec(
    emptyProfile(DIGEST, ['busybox:latest'], new Date(T1)),
    { path: '/bin/true', exe: '/bin/busybox', sha256: undefined, uid: 0, parent: undefined },
    new Date(T1),
  );

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bh-netprof-'));
  dirs.push(dir);
  return dir;
}
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('mergeSections and diffNetworkSections', () => {
  it('merges as a union: larger count, earlier first seen, later last seen; idempotent', () => {
    const a = section([edge('api', 'web', 8080, 3, T2)], [8080]);
    const b = section([{ ...edge('api', 'web', 8080, 5, T1), lastSeen: T1 }, edge('api', 'db', 5432)]);
    const merged = mergeSections(a, b);
    assert.deepEqual(
      merged.outbound.map((e) => [
        e.peer.kind === 'workload' ? e.peer.workload : '',
        e.count,
        e.firstSeen,
        e.lastSeen,
      ]),
      [
        ['db', 1, T1, T1],
        ['web', 5, T1, T2],
      ],
    );
    assert.deepEqual(mergeSections(merged, b), merged);
    assert.equal(merged.listening.length, 1);
  });
  it('diffs listening ports and edges, not counts or times', () => {
    const before = section([edge('api', 'web', 8080)], [8080]);
    const after = section([edge('api', 'web', 8080, 9, T2), edge('intruder', 'web', 8080)], [9090]);
    assert.deepEqual(diffNetworkSections(before, after), [
      { change: 'removed', entry: 'listening web 8080/tcp' },
      { change: 'added', entry: 'listening web 9090/tcp' },
      { change: 'added', entry: 'outbound intruder -> web:8080/tcp' },
    ]);
  });
});

describe('NetworkProfiles', () => {
  it('writes a network-only learned profile (no exec section) and keeps an existing exec section', () => {
    const dir = tempDir();
    const profiles = new NetworkProfiles(dir);
    const file = profiles.saveLearned(DIGEST, ['busybox:latest'], section([edge('api', 'web', 8080)]));
    const fresh = loadProfile(file);
    assert.equal(fresh.executables, undefined, 'a new file has no exec section, so no allow-list');
    assert.equal(fresh.learning, undefined);
    assert.equal(fresh.network?.outbound.length, 1);
    // the exec learner writes its section meanwhile; the next network write keeps it
    saveProfile(file, { ...execProfile(), network: fresh.network });
    profiles.saveLearned(DIGEST, ['busybox:latest'], section([edge('api', 'db', 5432)]));
    const both = loadProfile(file);
    assert.deepEqual(
      both.executables?.map((e) => e.path),
      ['/bin/true'],
    );
    assert.deepEqual(
      both.network?.outbound.map((e) => e.port),
      [5432, 8080],
    );
  });

  it('re-reads a changed enforced profile; a broken one is reported with file:line:column and the last good stays', () => {
    const dir = tempDir();
    const profiles = new NetworkProfiles(dir);
    assert.deepEqual(profiles.refresh([DIGEST]).changed, new Set());
    assert.equal(profiles.enforcedOf(DIGEST).section, undefined);
    const file = profileFile(dir, DIGEST, 'enforced');
    saveProfile(file, { ...execProfile(), network: section([edge('api', 'web', 8080)]) });
    assert.deepEqual(profiles.refresh([DIGEST]).changed, new Set([DIGEST]));
    assert.equal(profiles.enforcedOf(DIGEST).version, 1);
    const good = readFileSync(file, 'utf8');
    writeFileSync(file, good.replace('port: 8080', 'port: 80800'));
    const broken = profiles.refresh([DIGEST]);
    assert.equal(broken.changed.size, 0);
    assert.match(
      broken.errors[0] ?? '',
      new RegExp(`^${file}:\\d+:\\d+: .*network\\.outbound\\.0\\.port`, 'm'),
    );
    assert.match(broken.errors[0] ?? '', /version 1 stays in force/);
    assert.equal(profiles.enforcedOf(DIGEST).section?.outbound[0]?.port, 8080);
    assert.equal(profiles.refresh([DIGEST]).errors.length, 0, 'reported once');
  });

  it('two learners in two processes, each writing 150 times, keep both sections whole', async () => {
    const dir = tempDir();
    const run = (side: string): Promise<number | null> =>
      new Promise((done) => {
        const child = spawn(
          process.execPath,
          ['--import', 'tsx', 'test/harness/profile-writer.ts', side, dir, '150'],
          {
            cwd: ROOT,
            stdio: ['ignore', 'ignore', 'inherit'],
          },
        );
        child.on('exit', (code) => {
          done(code);
        });
      });
    const [exec, net] = await Promise.all([run('exec'), run('net')]);
    assert.equal(exec, 0);
    assert.equal(net, 0);
    const file = profileFile(dir, `sha256:${'c'.repeat(64)}`, 'learned');
    const profile = loadProfile(file);
    assert.equal(profile.executables?.length, 150, 'every exec entry');
    assert.equal(profile.network?.listening.length, 150, 'every network entry');
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.endsWith('.lock') || f.includes('.tmp-')),
      [],
      'no lock or temp file left',
    );
  });
});

describe('migrateLegacyNetworkProfiles', () => {
  const legacy = (digest: string, net: NetworkSection): string =>
    `# bulkhead network profile (docs/net.md); learned, edit to widen peers\n${stringify({ image: digest, imageName: 'busybox:latest', network: net })}`;

  it('merges an old file into the learned and enforced profiles, renames it, and is harmless when repeated', () => {
    const dir = tempDir();
    const old = join(dir, 'network');
    mkdirSync(old);
    const oldFile = join(old, `${DIGEST.slice(7)}.yaml`);
    writeFileSync(oldFile, legacy(DIGEST, section([edge('api', 'web', 8080, 4)], [8080])));
    // the exec side learned and promoted already: its sections stay, the enforced version goes up
    saveProfile(profileFile(dir, DIGEST, 'learned'), execProfile());
    saveProfile(profileFile(dir, DIGEST, 'enforced'), { ...execProfile(), version: 2 });
    const outcomes = migrateLegacyNetworkProfiles(dir);
    assert.equal(outcomes.length, 1);
    assert.ok(outcomes[0]?.ok);
    assert.equal(existsSync(oldFile), false);
    assert.ok(existsSync(`${oldFile}.migrated`), 'kept, not deleted');
    for (const kind of ['learned', 'enforced'] as const) {
      const p = loadProfile(profileFile(dir, DIGEST, kind));
      assert.deepEqual(
        p.executables?.map((e) => e.path),
        ['/bin/true'],
        `${kind}: exec section kept`,
      );
      assert.equal(p.network?.outbound[0]?.count, 4, `${kind}: network section merged`);
    }
    assert.equal(loadProfile(profileFile(dir, DIGEST, 'enforced')).version, 3);
    // the same file again (restored by hand): same sections, a second .migrated name, nothing overwritten
    writeFileSync(oldFile, legacy(DIGEST, section([edge('api', 'web', 8080, 4)], [8080])));
    assert.ok(migrateLegacyNetworkProfiles(dir)[0]?.ok);
    assert.ok(existsSync(`${oldFile}.migrated.2`));
    assert.equal(loadProfile(profileFile(dir, DIGEST, 'enforced')).version, 3, 'no change, no new version');
    assert.equal(loadProfile(profileFile(dir, DIGEST, 'learned')).network?.outbound.length, 1);
  });

  it('creates the watch profiles when there are none: network-only, no exec allow-list', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'network'));
    writeFileSync(join(dir, 'network', 'x.yaml'), legacy(DIGEST, section([edge('api', 'web', 8080)])));
    assert.ok(migrateLegacyNetworkProfiles(dir)[0]?.ok);
    const enforced = loadProfile(profileFile(dir, DIGEST, 'enforced'));
    assert.equal(enforced.executables, undefined);
    assert.equal(enforced.version, 1);
    assert.deepEqual(enforced.image.names, ['busybox:latest']);
  });

  it('reports a file that does not validate with file:line:column and leaves it untouched', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'network'));
    const bad = join(dir, 'network', 'bad.yaml');
    const text = legacy(DIGEST, section([edge('api', 'web', 8080)])).replace('port: 8080', 'port: -1');
    writeFileSync(bad, text);
    const broken = join(dir, 'network', 'broken.yaml');
    writeFileSync(broken, 'image: [\n');
    const outcomes = migrateLegacyNetworkProfiles(dir);
    assert.equal(outcomes.length, 2);
    const [first, second] = outcomes;
    assert.ok(first !== undefined && !first.ok && second !== undefined && !second.ok);
    assert.match(
      first.message,
      new RegExp(`^${bad}:\\d+:\\d+: old network profile does not validate: network\\.outbound\\.0\\.port`),
    );
    assert.match(second.message, new RegExp(`^${broken}:\\d+:\\d+: invalid YAML`));
    assert.equal(readFileSync(bad, 'utf8'), text);
    assert.equal(existsSync(profileFile(dir, DIGEST, 'learned')), false, 'nothing half-migrated');
    assert.deepEqual(readdirSync(join(dir, 'network')).sort(), ['bad.yaml', 'broken.yaml']);
  });

  it('leaves the old file in place when the target profile does not parse', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'network'));
    const oldFile = join(dir, 'network', 'x.yaml');
    writeFileSync(oldFile, legacy(DIGEST, section([edge('api', 'web', 8080)])));
    writeFileSync(profileFile(dir, DIGEST, 'learned'), 'version: [\n');
    const [outcome] = migrateLegacyNetworkProfiles(dir);
    assert.ok(outcome !== undefined && !outcome.ok);
    assert.match(outcome.message, new RegExp(`${profileFile(dir, DIGEST, 'learned')}:\\d+:\\d+`));
    assert.ok(existsSync(oldFile));
  });
});
