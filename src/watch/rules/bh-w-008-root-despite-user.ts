// BH-W-008: a process running as uid 0 in a container whose image declares a non-root USER (Falco
// "Container Run as Root User"): someone overrode the image's intent (`-u 0`, `docker exec -u root`).
import { docsUrl, type WatchRule } from '../rule.js';
import { isRootUser } from '../../shared/user.js';

/** The image's USER is set and is not root ("00", "+0" are uid 0 too: src/shared/user.ts, runc's parsing). */
function declaresNonRoot(user: string): boolean {
  return !isRootUser(user, { defaultIsRoot: true });
}

export const rule: WatchRule = {
  meta: {
    id: 'BH-W-008',
    aliases: ['Container Run as Root User'],
    severity: 'high',
    title: 'Process runs as root although the image declares a non-root USER',
    rationale:
      'The image author dropped root on purpose; root at run time means the container or an exec overrode it.',
    remediation: "Remove `--user 0`/`-u root` from the run or exec; keep the image's USER.",
    references: ['https://falco.org/docs/reference/rules/default-rules/'],
    docsUrl: docsUrl('BH-W-008'),
  },
  check: (f) =>
    f.kind === 'exec' && f.uid === 0 && declaresNonRoot(f.imageUser)
      ? `${f.path} runs as uid 0 but the image declares USER ${f.imageUser}`
      : undefined,
  cases: [
    { name: 'root image', input: {}, expect: false },
    { name: 'non-root image, uid 1000', input: { imageUser: 'app', uid: 1000 }, expect: false },
    { name: 'non-root image, uid 0', input: { imageUser: 'app' }, expect: true },
    { name: 'USER 0:0 is root', input: { imageUser: '0:0' }, expect: false },
    { name: 'USER +0 is root (strconv.Atoi)', input: { imageUser: '+0' }, expect: false },
    { name: 'USER 00 is root', input: { imageUser: '00' }, expect: false },
  ],
};
