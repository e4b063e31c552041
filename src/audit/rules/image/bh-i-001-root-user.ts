// BH-I-001: images in use declare a non-root USER (CIS 1.6.0 4.1, 1.8.0 4.1 at image level).
import { checkImages, ev, fail, pass } from '../../check.js';
import { isRootUser } from '../../container-facts.js';
import type { AuditRule } from '../../rule.js';

export const rule: AuditRule = {
  id: 'BH-I-001',
  area: 'image',
  cis: { v160: ['4.1'], v180: ['4.1'] },
  severity: 'low',
  title: 'Image declares a non-root user',
  rationale: 'An image without USER runs as root wherever it is started without --user.',
  remediation: 'Add a USER instruction with a non-root uid to the Dockerfile.',
  references: ['https://docs.docker.com/develop/develop-images/instructions/#user'],
  needs: 'engine',
  check: checkImages((image) => {
    const user = image.inspect?.Config?.User ?? '';
    return isRootUser(user)
      ? fail(
          'image runs as root by default',
          ev('Config.User', user === '' ? '(empty: root)' : user, 'a non-root uid'),
        )
      : pass(`image user ${user}`, ev('Config.User', user));
  }),
};
