// BH-IMG-ROOT-USER: the image's default user is root (CIS Docker Benchmark 1.6.0 section 4.1, "Ensure that a user
// for the container has been created"). Config.User empty, "root", "0" or a name that /etc/passwd maps to uid 0.
import type { ImageRule } from '../rule.js';
import { imageFinding, notApplicable, passFinding } from '../rule.js';

const meta = {
  id: 'BH-IMG-ROOT-USER',
  title: 'Image runs as root',
  severity: 'medium',
  aliases: ['CIS-1.6.0:4.1', 'CIS-1.8.0:4.1', 'DS002'],
  remediation:
    'Create an unprivileged user in the image and set it as the default: `RUN useradd -r -u 10001 app` then `USER 10001`.',
  references: ['https://docs.docker.com/build/building/best-practices/#user'],
  description:
    'Processes in a container started from this image run as uid 0 unless the run command overrides the user.',
} as const;

/** The uid a Config.User value means, given /etc/passwd; undefined when a name is not in it. */
export function resolveUid(user: string, passwd: string | undefined): number | undefined {
  const name = user.split(':')[0] ?? '';
  if (name === '') return 0;
  if (/^\d+$/.test(name)) return Number(name);
  for (const line of (passwd ?? '').split('\n')) {
    const [entry, , uid] = line.split(':');
    if (entry === name && uid !== undefined && /^\d+$/.test(uid)) return Number(uid);
  }
  return name === 'root' ? 0 : undefined;
}

export const rule: ImageRule = {
  meta,
  check(facts) {
    if (facts.config === undefined)
      return [notApplicable(meta, facts, 'a root filesystem has no image configuration')];
    const user = facts.config.user;
    const uid = resolveUid(user, facts.passwd);
    const evidence = [{ source: 'Config.User', value: JSON.stringify(user), expected: 'a non-root user' }];
    if (uid === undefined) {
      return [
        imageFinding(meta, facts, {
          message: `user "${user}" is not in /etc/passwd; the container will fail to start unless it is created at run time`,
          evidence,
          outcome: { kind: 'skip', reason: `user "${user}" not found in /etc/passwd` },
        }),
      ];
    }
    if (uid !== 0) return [passFinding(meta, facts, `runs as uid ${uid}`)];
    return [
      imageFinding(meta, facts, {
        message: user === '' ? 'no USER set: containers run as root' : `USER ${user} is root (uid 0)`,
        evidence,
      }),
    ];
  },
};
