// BH-IMG-001 (formerly BH-I-001) over the images in use: the one root-user rule of src/scan/rules (CIS 1.6.0 and
// 1.8.0 section 4.1), its metadata and judgement applied to Config.User from the Engine API (no /etc/passwd).
import { meta, judgeImageUser } from '../../../scan/rules/bh-img-001-root-user.js';
import { checkImages } from '../../check.js';
import type { AuditRule } from '../../rule.js';

export const rule: AuditRule = {
  meta,
  area: 'image',
  needs: 'engine',
  check: checkImages((image) => {
    const { outcome, message, evidence } = judgeImageUser(image.inspect?.Config?.User ?? '', null);
    return outcome.kind === 'pass' || outcome.kind === 'fail'
      ? { kind: outcome.kind, message, evidence }
      : { kind: outcome.kind, reason: outcome.reason, evidence };
  }),
};
