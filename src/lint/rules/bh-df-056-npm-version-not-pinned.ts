// BH-DF-056: npm installs packages without a version (DL3016): the image content changes with every build and a
// compromised or broken new release is picked up silently.
import { runCommands } from '../helpers.js';
import { npmPackages } from '../pinning.js';
import { defineRule } from '../rule.js';

export const rule = defineRule({
  meta: {
    id: 'BH-DF-056',
    aliases: ['DL3016'],
    severity: 'info',
    title: 'npm package version not pinned',
    rationale:
      'A npm install names packages without a version (pkg@version). Builds are not reproducible, and a new release (or a hijacked package) enters the image unnoticed. Variables, local files and URLs are not reported.',
    remediation:
      'Pin versions (pkg@version), or pin the whole set with a lock file or a digest-pinned base image and accept updates through a bot.',
    references: ['https://github.com/hadolint/hadolint/wiki/DL3016'],
    docsUrl: 'docs/rules/lint.md#bh-df-056',
  },
  check({ model, report }) {
    for (const { instruction, command } of runCommands(model)) {
      const unpinned = npmPackages(command).filter((p) => !p.pinned);
      if (unpinned.length > 0)
        report({ instruction, command, message: `unpinned: ${unpinned.map((p) => p.name).join(', ')}` });
    }
  },
  cases: {
    valid: ['FROM x\nRUN npm install -g typescript@5.5.4', 'FROM x\nRUN npm --version'],
    invalid: [
      {
        code: 'FROM x\nRUN npm install -g typescript',
        errors: [{ line: 2, column: 5, message: 'unpinned: typescript' }],
      },
    ],
  },
});
