// BH-DF-055: pip installs packages without a version (DL3013): the image content changes with every build and a
// compromised or broken new release is picked up silently.
import { runCommands } from '../helpers.js';
import { pipPackages } from '../pinning.js';
import { defineRule } from '../rule.js';

export const rule = defineRule({
  meta: {
    id: 'BH-DF-055',
    aliases: ['DL3013'],
    severity: 'info',
    title: 'pip package version not pinned',
    rationale:
      'A pip install names packages without a version (pkg==version). Builds are not reproducible, and a new release (or a hijacked package) enters the image unnoticed. Variables, local files and URLs are not reported.',
    remediation:
      'Pin versions (pkg==version), or pin the whole set with a lock file or a digest-pinned base image and accept updates through a bot.',
    references: ['https://github.com/hadolint/hadolint/wiki/DL3013'],
    docsUrl: 'docs/rules/lint.md#bh-df-055',
  },
  check({ model, report }) {
    for (const { instruction, command } of runCommands(model)) {
      const unpinned = pipPackages(command).filter((p) => !p.pinned);
      if (unpinned.length > 0)
        report({ instruction, command, message: `unpinned: ${unpinned.map((p) => p.name).join(', ')}` });
    }
  },
  cases: {
    valid: ['FROM x\nRUN pip install --no-cache-dir flask==3.0.3', 'FROM x\nRUN pip --version'],
    invalid: [
      {
        code: 'FROM x\nRUN pip install --no-cache-dir flask',
        errors: [{ line: 2, column: 5, message: 'unpinned: flask' }],
      },
    ],
  },
});
