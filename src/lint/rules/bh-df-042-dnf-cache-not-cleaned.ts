// BH-DF-042: dnf install in the final stage without `dnf clean all` (hadolint DL3040, Trivy DS-0019).
import { argTexts } from '../helpers.js';
import { cleanCacheRule } from '../package-managers.js';

export const rule = cleanCacheRule({
  meta: {
    id: 'BH-DF-042',
    aliases: ['DL3040', 'DS-0019'],
    severity: 'info',
    title: 'dnf cache not cleaned',
    rationale:
      'dnf (or microdnf) installs in the final stage without `dnf clean all` (or removing /var/cache/dnf) in the same RUN. Builder stages and cache mounts are exempt.',
    remediation: 'End the RUN with `&& dnf clean all`.',
    references: [
      'https://github.com/hadolint/hadolint/wiki/DL3040',
      'https://avd.aquasec.com/misconfig/ds019',
    ],
    docsUrl: 'docs/rules/lint.md#bh-df-042',
  },
  programs: ['dnf', 'microdnf'],
  cacheDirs: ['/var/cache/dnf', '/var/cache/yum', '/var/cache/libdnf5'],
  // dnf and microdnf keep separate caches: each cleans only its own.
  cleaned: (c, install) => c.program === install.program && argTexts(c).includes('clean'),
  cases: {
    valid: [
      'FROM fedora\nRUN dnf install -y httpd && dnf clean all',
      'FROM fedora AS b\nRUN dnf install -y gcc\nFROM scratch',
    ],
    invalid: [
      {
        code: 'FROM fedora\nRUN dnf install -y httpd',
        errors: [{ line: 2, column: 5, message: 'dnf installs without cleaning its cache in the same RUN' }],
      },
    ],
  },
});
