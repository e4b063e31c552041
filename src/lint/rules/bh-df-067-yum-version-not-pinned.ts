// BH-DF-067: yum installs packages without a version (DL3033): the image content changes with every build.
import { runCommands } from '../helpers.js';
import { rpmFamilyPackages } from '../pinning.js';
import { defineRule } from '../rule.js';

export const rule = defineRule({
  meta: {
    id: 'BH-DF-067',
    aliases: ['DL3033'],
    severity: 'info',
    title: 'yum package version not pinned',
    rationale:
      'A yum install names packages without a version. Builds are not reproducible and a new release enters the image unnoticed. Variables, local files, URLs and @groups are not reported.',
    remediation: 'Pin versions (pkg-version), or pin the base image by digest and update through a bot.',
    references: ['https://github.com/hadolint/hadolint/wiki/DL3033'],
    docsUrl: 'docs/rules/lint.md#bh-df-067',
  },
  check({ model, report }) {
    for (const { instruction, command } of runCommands(model)) {
      const unpinned = rpmFamilyPackages(command, ['yum']).filter((p) => !p.pinned);
      if (unpinned.length > 0)
        report({ instruction, command, message: `unpinned: ${unpinned.map((p) => p.name).join(', ')}` });
    }
  },
  cases: {
    valid: ['FROM x\nRUN yum install -y httpd-2.4.57', 'FROM x\nRUN yum clean all'],
    invalid: [
      {
        code: 'FROM x\nRUN yum install -y httpd',
        errors: [{ line: 2, column: 5, message: 'unpinned: httpd' }],
      },
    ],
  },
});
