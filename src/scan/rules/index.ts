// Registry of image-configuration rules: one entry per file in this directory (a test checks the two agree).
import type { ImageFacts } from '../../image/types.js';
import type { RuleDescriptor } from '../../report/report.js';
import type { Finding } from '../../shared/finding.js';
import type { ImageRule } from '../rule.js';
import { rule as credentialFiles } from './credential-files.js';
import { rule as privateKey } from './private-key.js';
import { rule as rootUser } from './root-user.js';
import { rule as secretEnv } from './secret-env.js';
import { rule as secretHistory } from './secret-history.js';
import { rule as setuidFiles } from './setuid-files.js';

export const IMAGE_RULES: readonly ImageRule[] = [
  rootUser,
  secretEnv,
  secretHistory,
  setuidFiles,
  privateKey,
  credentialFiles,
];

export function imageRuleDescriptors(): RuleDescriptor[] {
  return IMAGE_RULES.map((r) => r.meta);
}

/** Runs every image rule over the facts. */
export function checkImage(facts: ImageFacts): Finding[] {
  return IMAGE_RULES.flatMap((r) => r.check(facts));
}
