// BH-DF-057: gem installs packages without a version (DL3028): the image content changes with every build and a
// compromised or broken new release is picked up silently.
import { runCommands } from '../helpers.js';
import { gemPackages } from '../pinning.js';
import { defineRule } from '../rule.js';

export const rule = defineRule({
  meta: {
    id: 'BH-DF-057',
    aliases: ['DL3028'],
    severity: 'info',
    title: 'gem package version not pinned',
    rationale:
      'A gem install names packages without a version (pkg -v version). Builds are not reproducible, and a new release (or a hijacked package) enters the image unnoticed. Variables, local files and URLs are not reported.',
    remediation:
      'Pin versions (pkg -v version), or pin the whole set with a lock file or a digest-pinned base image and accept updates through a bot.',
    references: ['https://github.com/hadolint/hadolint/wiki/DL3028'],
    docsUrl: 'docs/rules/lint.md#bh-df-057',
  },
  check({ model, report }) {
    for (const { instruction, command } of runCommands(model)) {
      const unpinned = gemPackages(command).filter((p) => !p.pinned);
      if (unpinned.length > 0)
        report({ instruction, command, message: `unpinned: ${unpinned.map((p) => p.name).join(', ')}` });
    }
  },
  cases: {
    valid: ['FROM x\nRUN gem install rake -v 13.2.1', 'FROM x\nRUN gem --version'],
    invalid: [
      { code: 'FROM x\nRUN gem install rake', errors: [{ line: 2, column: 5, message: 'unpinned: rake' }] },
    ],
  },
});
