// BH-DF-054: apk installs packages without a version (DL3018): the image content changes with every build and a
// compromised or broken new release is picked up silently.
import { runCommands } from '../helpers.js';
import { apkPackages } from '../pinning.js';
import { defineRule } from '../rule.js';

export const rule = defineRule({
  meta: {
    id: 'BH-DF-054',
    aliases: ['DL3018'],
    severity: 'info',
    title: 'apk package version not pinned',
    rationale:
      'A apk install names packages without a version (pkg=version). Builds are not reproducible, and a new release (or a hijacked package) enters the image unnoticed. Variables, local files and URLs are not reported.',
    remediation:
      'Pin versions (pkg=version), or pin the whole set with a lock file or a digest-pinned base image and accept updates through a bot.',
    references: ['https://github.com/hadolint/hadolint/wiki/DL3018'],
    docsUrl: 'docs/rules/lint.md#bh-df-054',
  },
  check({ model, report }) {
    for (const { instruction, command } of runCommands(model)) {
      const unpinned = apkPackages(command).filter((p) => !p.pinned);
      if (unpinned.length > 0)
        report({ instruction, command, message: `unpinned: ${unpinned.map((p) => p.name).join(', ')}` });
    }
  },
  cases: {
    valid: ['FROM x\nRUN apk add --no-cache curl=8.9.1-r0', 'FROM x\nRUN apk --version'],
    invalid: [
      {
        code: 'FROM x\nRUN apk add --no-cache curl',
        errors: [{ line: 2, column: 5, message: 'unpinned: curl' }],
      },
    ],
  },
});
