// Registry of image-configuration rules: one entry per file in this directory (a test checks the two agree).
import type { ImageFacts } from '../../image/types.js';
import type { Finding } from '../../shared/finding.js';
import type { ImageRule } from '../rule.js';
import { rule as credentialFiles } from './bh-img-006-credential-files.js';
import { rule as privateKey } from './bh-img-005-private-key.js';
import { rule as rootUser } from './bh-img-001-root-user.js';
import { rule as secretEnv } from './bh-img-002-secret-env.js';
import { rule as secretHistory } from './bh-img-003-secret-history.js';
import { rule as setuidFiles } from './bh-img-004-setuid-files.js';

export const IMAGE_RULES: readonly ImageRule[] = [
  rootUser,
  secretEnv,
  secretHistory,
  setuidFiles,
  privateKey,
  credentialFiles,
];

/** Runs every image rule over the facts. */
export function checkImage(facts: ImageFacts): Finding[] {
  return IMAGE_RULES.flatMap((r) => r.check(facts));
}
