// BH-DF-017: `apt-get install` without --no-install-recommends (hadolint DL3015, Trivy DS-0029): recommended
// packages add attack surface nobody asked for.
import { runCommands, subcommandOf } from '../helpers.js';
import { defineRule } from '../rule.js';

export const rule = defineRule({
  meta: {
    id: 'BH-DF-017',
    aliases: ['DL3015', 'DS-0029'],
    severity: 'low',
    title: 'apt-get install without --no-install-recommends',
    rationale:
      '`apt-get install` pulls in "Recommends" packages by default, often dozens of packages and tools the image never uses but that scanners and attackers will find. `-o APT::Install-Recommends=false` (or an apt.conf.d file written earlier in the same RUN) is accepted too.',
    remediation: 'Add `--no-install-recommends`.',
    references: [
      'https://github.com/hadolint/hadolint/wiki/DL3015',
      'https://avd.aquasec.com/misconfig/ds029',
    ],
    docsUrl: 'docs/rules/lint.md#bh-df-017',
  },
  check({ model, report }) {
    for (const { instruction, command } of runCommands(model)) {
      if (command.program !== 'apt-get' || subcommandOf(command, ['-o', '-c', '-t']) !== 'install') continue;
      const args = command.args.map((a) => a.text);
      const ok =
        args.includes('--no-install-recommends') ||
        args.some((a) => /APT::Install-Recommends\s*=\s*"?(false|0|no)"?/i.test(a)) ||
        instruction.text.includes('APT::Install-Recommends "false"') ||
        /Install-Recommends\s+"?(false|0)/.test(instruction.text);
      if (!ok) report({ instruction, command, message: 'apt-get install without --no-install-recommends' });
    }
  },
  cases: {
    valid: [
      'FROM debian\nRUN apt-get install -y --no-install-recommends curl',
      'FROM debian\nRUN apt-get -o APT::Install-Recommends=false install -y curl',
    ],
    invalid: [
      {
        code: 'FROM debian\nRUN apt-get install -y curl',
        errors: [{ line: 2, column: 5, message: 'apt-get install without --no-install-recommends' }],
      },
    ],
  },
});
