// BH-DF-069: zypper installs packages without a version (DL3037): the image content changes with every build.
import { runCommands } from '../helpers.js';
import { rpmFamilyPackages } from '../pinning.js';
import { defineRule } from '../rule.js';

export const rule = defineRule({
  meta: {
    id: 'BH-DF-069',
    aliases: ['DL3037'],
    severity: 'info',
    title: 'zypper package version not pinned',
    rationale:
      'A zypper install names packages without a version. Builds are not reproducible and a new release enters the image unnoticed. Variables, local files, URLs and @groups are not reported.',
    remediation: 'Pin versions (pkg=version), or pin the base image by digest and update through a bot.',
    references: ['https://github.com/hadolint/hadolint/wiki/DL3037'],
    docsUrl: 'docs/rules/lint.md#bh-df-069',
  },
  check({ model, report }) {
    for (const { instruction, command } of runCommands(model)) {
      const unpinned = rpmFamilyPackages(command, ['zypper']).filter((p) => !p.pinned);
      if (unpinned.length > 0)
        report({ instruction, command, message: `unpinned: ${unpinned.map((p) => p.name).join(', ')}` });
    }
  },
  cases: {
    valid: ['FROM x\nRUN zypper -n install curl=8.0.1', 'FROM x\nRUN zypper clean all'],
    invalid: [
      {
        code: 'FROM x\nRUN zypper -n install curl',
        errors: [{ line: 2, column: 5, message: 'unpinned: curl' }],
      },
    ],
  },
});
