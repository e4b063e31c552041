// BH-DF-064: apt-get dist-upgrade / full-upgrade in a Dockerfile (Trivy DS-0024): it can switch releases and remove
// packages; updating the base image is the way to get a newer distribution.
import { runCommands, subcommandOf } from '../helpers.js';
import { defineRule } from '../rule.js';

export const rule = defineRule({
  meta: {
    id: 'BH-DF-064',
    aliases: ['DS-0024'],
    severity: 'info',
    title: 'apt-get dist-upgrade',
    rationale:
      '`apt-get dist-upgrade` (or `full-upgrade`) may install new packages and remove others to satisfy dependencies, so the image drifts from its base in ways nobody reviewed. A plain `apt-get upgrade` (security fixes on top of the base) is not reported.',
    remediation:
      'Rebuild on an updated base image; use `apt-get upgrade -y` if fixes must be applied on top.',
    references: ['https://avd.aquasec.com/misconfig/ds024'],
    docsUrl: 'docs/rules/lint.md#bh-df-064',
  },
  check({ model, report }) {
    for (const { instruction, command } of runCommands(model)) {
      const sub =
        command.program === 'apt-get' || command.program === 'apt'
          ? subcommandOf(command, ['-o', '-c', '-t'])
          : undefined;
      if (sub === 'dist-upgrade' || sub === 'full-upgrade')
        report({ instruction, command, message: `${command.program} ${sub}` });
    }
  },
  cases: {
    valid: ['FROM debian\nRUN apt-get update && apt-get upgrade -y'],
    invalid: [
      {
        code: 'FROM debian\nRUN apt-get update && apt-get dist-upgrade -y',
        errors: [{ line: 2, column: 23, message: 'apt-get dist-upgrade' }],
      },
    ],
  },
});
