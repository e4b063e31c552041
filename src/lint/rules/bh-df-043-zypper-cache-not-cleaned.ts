// BH-DF-043: zypper install in the final stage without `zypper clean` (hadolint DL3036, Trivy DS-0020).
import { argTexts } from '../helpers.js';
import { cleanCacheRule } from '../package-managers.js';

export const rule = cleanCacheRule({
  meta: {
    id: 'BH-DF-043',
    aliases: ['DL3036', 'DS-0020'],
    severity: 'info',
    title: 'zypper cache not cleaned',
    rationale:
      'zypper installs in the final stage without `zypper clean` (cc) in the same RUN. Builder stages and cache mounts are exempt.',
    remediation: 'End the RUN with `&& zypper clean --all`.',
    references: [
      'https://github.com/hadolint/hadolint/wiki/DL3036',
      'https://avd.aquasec.com/misconfig/ds020',
    ],
    docsUrl: 'docs/rules/lint.md#bh-df-043',
  },
  programs: ['zypper'],
  cacheDirs: ['/var/cache/zypp'],
  cleaned: (c) => c.program === 'zypper' && (argTexts(c).includes('clean') || argTexts(c).includes('cc')),
  cases: {
    valid: ['FROM opensuse/leap\nRUN zypper -n install curl && zypper clean -a'],
    invalid: [
      {
        code: 'FROM opensuse/leap\nRUN zypper -n install curl',
        errors: [
          { line: 2, column: 5, message: 'zypper installs without cleaning its cache in the same RUN' },
        ],
      },
    ],
  },
});
