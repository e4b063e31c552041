// BH-DF-040: zypper install without -n/--non-interactive or -y (hadolint DL3034).
import { assumeYesRule } from '../package-managers.js';

export const rule = assumeYesRule({
  meta: {
    id: 'BH-DF-040',
    aliases: ['DL3034'],
    severity: 'medium',
    title: 'zypper install without --non-interactive',
    rationale:
      '`zypper install` runs without -n/--non-interactive (or -y/--no-confirm) and waits for an answer.',
    remediation: 'Use `zypper --non-interactive install PACKAGES`.',
    references: ['https://github.com/hadolint/hadolint/wiki/DL3034'],
    docsUrl: 'docs/rules/lint.md#bh-df-040',
  },
  programs: ['zypper'],
  long: ['--non-interactive', '--no-confirm'],
  short: ['n', 'y'],
  cases: {
    valid: [
      'FROM opensuse/leap\nRUN zypper -n install curl',
      'FROM opensuse/leap\nRUN zypper install -y curl',
    ],
    invalid: [
      {
        code: 'FROM opensuse/leap\nRUN zypper install curl',
        errors: [{ line: 2, column: 5, message: 'zypper install without --non-interactive' }],
      },
    ],
  },
});
