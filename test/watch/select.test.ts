// `watch profile` picks profiles by digest (or a prefix), by image name as the one parser reads it
// (src/shared/image-ref.ts: "busybox" = "busybox:latest" = "docker.io/library/busybox"), or by --all.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { emptyProfile, profileFile, saveProfile } from '../../src/watch/profile.js';
import { resolveProfiles } from '../../src/watch/select.js';

const NOW = new Date('2026-12-01T10:00:00.000Z');
const BUSYBOX = `sha256:${'a'.repeat(64)}`;
const APP = `sha256:${'b'.repeat(64)}`;

describe('resolveProfiles', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bh-select-'));
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  saveProfile(profileFile(dir, BUSYBOX, 'learned'), emptyProfile(BUSYBOX, ['busybox:latest'], NOW));
  saveProfile(
    profileFile(dir, APP, 'learned'),
    emptyProfile(APP, ['registry.example.com:5000/team/app:1'], NOW),
  );
  const digestsOf = async (name: string): Promise<string[]> =>
    (await resolveProfiles(dir, { name }, undefined)).map((p) => p.digest);

  const rows: readonly (readonly [name: string, digest: string])[] = [
    ['busybox', BUSYBOX],
    ['busybox:latest', BUSYBOX],
    ['docker.io/library/busybox', BUSYBOX],
    ['index.docker.io/library/busybox:latest', BUSYBOX],
    ['library/busybox', BUSYBOX],
    ['registry.example.com:5000/team/app:1', APP],
    ['Registry.Example.com:5000/team/app:1', APP],
    ['aaaaaaaaaaaa', BUSYBOX],
  ];
  for (const [name, digest] of rows)
    it(`finds ${name}`, async () => {
      assert.deepEqual(await digestsOf(name), [digest]);
    });

  it('does not take another tag or repository for the image', async () => {
    for (const name of ['busybox:1', 'team/busybox', 'registry.example.com:5000/team/app'])
      await assert.rejects(digestsOf(name), /no profile for/, name);
  });
});
