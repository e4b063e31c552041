// One learner writing one profile file many times, in its own process (test/net/profiles.test.ts runs two at once):
// `exec DIR N` adds /bin/x0../bin/xN-1 through the exec learner's write (watch's flushLearned), `net DIR N` adds
// listening ports 1..N through the network stage's (NetworkProfiles.saveLearned). Each write is a full
// read-merge-write of the file, so without the lock the two would lose each other's updates.
import { NetworkProfiles } from '../../src/net/profiles.js';
import type { NetworkSection } from '../../src/net/profile.js';
import {
  emptyProfile,
  learnExec,
  mergeExecSection,
  profileFile,
  updateProfileFile,
} from '../../src/watch/profile.js';

export const WRITER_DIGEST = `sha256:${'c'.repeat(64)}`;

const [side, dir, count] = process.argv.slice(2);
const n = Number(count);
if (dir === undefined || !Number.isInteger(n)) throw new Error('usage: profile-writer.ts exec|net DIR N');
const now = new Date('2026-12-01T10:00:00.000Z');
if (side === 'exec') {
  let learned = emptyProfile(WRITER_DIGEST, ['writer:latest'], now);
  for (let i = 0; i < n; i += 1) {
    learned = learnExec(
      learned,
      { path: `/bin/x${i}`, exe: '/bin/busybox', sha256: undefined, uid: 0, parent: undefined },
      now,
    );
    const mine = learned;
    updateProfileFile(profileFile(dir, WRITER_DIGEST, 'learned'), (current) =>
      mergeExecSection(current, mine),
    );
  }
} else if (side === 'net') {
  const profiles = new NetworkProfiles(dir);
  const section: NetworkSection = { listening: [], outbound: [], inbound: [] };
  for (let i = 1; i <= n; i += 1) {
    section.listening.push({
      workload: 'w',
      proto: 'tcp',
      port: i,
      firstSeen: now.toISOString(),
      lastSeen: now.toISOString(),
    });
    profiles.saveLearned(WRITER_DIGEST, ['writer:latest'], section);
  }
} else throw new Error(`unknown side ${side ?? ''}`);
