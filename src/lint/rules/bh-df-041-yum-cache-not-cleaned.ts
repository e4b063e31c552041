// BH-DF-041: yum install in the final stage without `yum clean all` in the same RUN (hadolint DL3032, Trivy DS-0015).
import { argTexts } from '../helpers.js';
import { cleanCacheRule } from '../package-managers.js';

export const rule = cleanCacheRule({
  meta: {
    id: 'BH-DF-041',
    aliases: ['DL3032', 'DS-0015'],
    severity: 'info',
    title: 'yum cache not cleaned',
    rationale:
      'yum installs in the final stage without `yum clean all` (or removing /var/cache/yum) in the same RUN, leaving metadata and packages in the layer. Builder stages and cache mounts are exempt.',
    remediation: 'End the RUN with `&& yum clean all && rm -rf /var/cache/yum`.',
    references: [
      'https://github.com/hadolint/hadolint/wiki/DL3032',
      'https://avd.aquasec.com/misconfig/ds015',
    ],
    docsUrl: 'docs/rules/lint.md#bh-df-041',
  },
  programs: ['yum'],
  cacheDirs: ['/var/cache/yum'],
  cleaned: (c) => c.program === 'yum' && argTexts(c).includes('clean'),
  cases: {
    valid: ['FROM centos\nRUN yum install -y httpd && yum clean all'],
    invalid: [
      {
        code: 'FROM centos\nRUN yum install -y httpd',
        errors: [{ line: 2, column: 5, message: 'yum installs without cleaning its cache in the same RUN' }],
      },
    ],
  },
});
