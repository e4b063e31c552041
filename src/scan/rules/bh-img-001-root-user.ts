// BH-IMG-001 (formerly BH-IMG-ROOT-USER and audit's BH-I-001): the image's default user is root (CIS Docker
// Benchmark 1.6.0 and 1.8.0 section 4.1, "Ensure that a user for the container has been created"). Config.User
// empty, "root", "0" or a name /etc/passwd maps to uid 0. The one judgement of this item: `bulkhead scan` applies
// it to an image with its /etc/passwd, `bulkhead audit` (src/audit/rules/image/) to every image in use.
import type { RuleMeta } from '../../shared/rule.js';
import type { Evidence, Outcome } from '../../shared/finding.js';
import { type ImageCase, imageFinding, type ImageRule, notApplicable, passFinding } from '../rule.js';
import { parseUserSpec, uidOfUser } from '../../shared/user.js';
import { factsWith, rootfs } from '../cases.js';

/**
 * Severity medium (it was medium in scan, low in audit): root in the container is not itself a hole, but it is
 * what turns every other one (a runtime escape such as CVE-2024-21626, a writable host mount, an added
 * capability) into root on the host unless userns-remap is on; CIS scores 4.1 at Level 1, Trivy's DS002 rates
 * it high, hadolint's DL3002 a warning.
 */
export const meta: RuleMeta = {
  id: 'BH-IMG-001',
  aliases: ['BH-IMG-ROOT-USER', 'BH-I-001', 'CIS-1.6.0:4.1', 'CIS-1.8.0:4.1', 'DS002'],
  severity: 'medium',
  title: 'Image runs as root',
  rationale:
    'Processes in a container started from this image run as uid 0 unless the run command overrides the user.',
  remediation:
    'Create an unprivileged user in the image and set it as the default: `RUN useradd -r -u 10001 app` then `USER 10001`.',
  references: ['https://docs.docker.com/build/building/best-practices/#user'],
  docsUrl: 'docs/rules/scan.md#bh-img-001',
};

/**
 * The uid a Config.User value means, given /etc/passwd (src/shared/user.ts, runc's parsing): "" is root, a number
 * (Atoi: "+0", "00") is a uid, a name is looked up exactly; undefined when a name is not in it.
 */
export function resolveUid(user: string, passwd: string | undefined): number | undefined {
  if (parseUserSpec(user).kind === 'default') return 0;
  return uidOfUser(user, passwd);
}

export interface UserVerdict {
  readonly outcome: Outcome;
  readonly message: string;
  readonly evidence: readonly Evidence[];
}

/**
 * Judges an image's Config.User. `passwd` is the image's /etc/passwd, undefined when the image has none, or null
 * when it was not read (the Engine API gives no files): then a name is taken at its word and only "root" is root.
 */
export function judgeImageUser(user: string, passwd: string | undefined | null): UserVerdict {
  const evidence = [{ source: 'Config.User', value: JSON.stringify(user), expected: 'a non-root user' }];
  const spec = parseUserSpec(user);
  if (passwd === null && spec.kind === 'name' && spec.name !== 'root')
    return { outcome: { kind: 'pass' }, message: `runs as user ${spec.name}`, evidence };
  const uid = resolveUid(user, passwd ?? undefined);
  if (uid === undefined)
    return {
      outcome: { kind: 'skip', reason: `user "${user}" not found in /etc/passwd` },
      message: `user "${user}" is not in /etc/passwd; the container will fail to start unless it is created at run time`,
      evidence,
    };
  if (uid !== 0) return { outcome: { kind: 'pass' }, message: `runs as uid ${uid}`, evidence };
  return {
    outcome: { kind: 'fail' },
    message: user === '' ? 'no USER set: containers run as root' : `USER ${user} is root (uid 0)`,
    evidence,
  };
}

const cases: readonly ImageCase[] = [
  { name: 'no USER', facts: factsWith({ user: '' }), fails: ['no USER set'] },
  {
    name: 'USER root',
    facts: factsWith({ user: 'root' }),
    fails: ['USER root is root'],
  },
  { name: 'USER 0:0', facts: factsWith({ user: '0:0' }), fails: ['USER 0:0 is root'] },
  { name: 'USER -0 (Atoi)', facts: factsWith({ user: '-0' }), fails: ['USER -0 is root'] },
  { name: 'USER 000', facts: factsWith({ user: '000' }), fails: ['USER 000 is root'] },
  {
    name: 'name with uid 0',
    facts: factsWith({ user: 'toor' }),
    fails: ['USER toor is root'],
  },
  { name: 'USER app', facts: factsWith({ user: 'app' }), fails: [], outcome: 'pass' },
  {
    name: 'numeric uid',
    facts: factsWith({ user: '10001:10001' }),
    fails: [],
    outcome: 'pass',
  },
  {
    name: 'unknown name',
    facts: factsWith({ user: 'ghost' }),
    fails: [],
    outcome: 'skip',
  },
  { name: 'rootfs', facts: rootfs, fails: [], outcome: 'not-applicable' },
];

export const rule: ImageRule = {
  meta,
  check(facts) {
    if (facts.config === undefined)
      return [notApplicable(meta, facts, 'a root filesystem has no image configuration')];
    const verdict = judgeImageUser(facts.config.user, facts.passwd);
    return [
      verdict.outcome.kind === 'pass'
        ? passFinding(meta, facts, verdict.message)
        : imageFinding(meta, facts, { ...verdict }),
    ];
  },
  cases,
};
