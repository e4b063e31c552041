// BH-DF-038: yum install without -y (hadolint DL3030).
import { assumeYesRule } from '../package-managers.js';

export const rule = assumeYesRule({
  meta: {
    id: 'BH-DF-038',
    aliases: ['DL3030'],
    severity: 'medium',
    title: 'yum install without -y',
    rationale:
      '`yum install` (or update/remove) runs without -y/--assumeyes and stops at the confirmation prompt.',
    remediation: 'Use `yum install -y PACKAGES`.',
    references: ['https://github.com/hadolint/hadolint/wiki/DL3030'],
    docsUrl: 'docs/rules/lint.md#bh-df-038',
  },
  programs: ['yum'],
  long: ['--assumeyes'],
  short: ['y'],
  cases: {
    valid: ['FROM centos\nRUN yum install -y httpd', 'FROM centos\nRUN yum makecache'],
    invalid: [
      {
        code: 'FROM centos\nRUN yum install httpd',
        errors: [{ line: 2, column: 5, message: 'yum install without --assumeyes' }],
      },
    ],
  },
});
