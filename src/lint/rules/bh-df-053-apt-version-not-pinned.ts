// BH-DF-053: apt-get installs packages without a version (DL3008): the image content changes with every build and a
// compromised or broken new release is picked up silently.
import { runCommands } from '../helpers.js';
import { aptPackages } from '../pinning.js';
import { defineRule } from '../rule.js';

export const rule = defineRule({
  meta: {
    id: 'BH-DF-053',
    aliases: ['DL3008'],
    severity: 'info',
    title: 'apt-get package version not pinned',
    rationale:
      'A apt-get install names packages without a version (pkg=version). Builds are not reproducible, and a new release (or a hijacked package) enters the image unnoticed. Variables, local files and URLs are not reported.',
    remediation:
      'Pin versions (pkg=version), or pin the whole set with a lock file or a digest-pinned base image and accept updates through a bot.',
    references: ['https://github.com/hadolint/hadolint/wiki/DL3008'],
    docsUrl: 'docs/rules/lint.md#bh-df-053',
  },
  check({ model, report }) {
    for (const { instruction, command } of runCommands(model)) {
      const unpinned = aptPackages(command).filter((p) => !p.pinned);
      if (unpinned.length > 0)
        report({ instruction, command, message: `unpinned: ${unpinned.map((p) => p.name).join(', ')}` });
    }
  },
  cases: {
    valid: ['FROM x\nRUN apt-get install -y curl=8.5.0-2', 'FROM x\nRUN apt-get install -y /tmp/x.deb'],
    invalid: [
      {
        code: 'FROM x\nRUN apt-get install -y curl',
        errors: [{ line: 2, column: 5, message: 'unpinned: curl' }],
      },
    ],
  },
});
