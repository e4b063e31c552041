// BH-DF-039: dnf/microdnf install without -y (hadolint DL3038).
import { assumeYesRule } from '../package-managers.js';

export const rule = assumeYesRule({
  meta: {
    id: 'BH-DF-039',
    aliases: ['DL3038'],
    severity: 'medium',
    title: 'dnf install without -y',
    rationale:
      '`dnf install` (or microdnf/tdnf) runs without -y/--assumeyes and stops at the confirmation prompt.',
    remediation: 'Use `dnf install -y PACKAGES`.',
    references: ['https://github.com/hadolint/hadolint/wiki/DL3038'],
    docsUrl: 'docs/rules/lint.md#bh-df-039',
  },
  programs: ['dnf', 'microdnf', 'tdnf'],
  long: ['--assumeyes'],
  short: ['y'],
  cases: {
    valid: [
      'FROM fedora\nRUN dnf install -y httpd',
      'FROM fedora\nRUN dnf -y --setopt=tsflags=nodocs install httpd',
    ],
    invalid: [
      {
        code: 'FROM fedora\nRUN dnf install httpd',
        errors: [{ line: 2, column: 5, message: 'dnf install without --assumeyes' }],
      },
    ],
  },
});
