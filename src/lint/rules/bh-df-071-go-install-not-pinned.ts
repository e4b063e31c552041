// BH-DF-071: `go install module@latest` (or @master/@main) (hadolint DL3062): the tool changes with every build.
// Without `@version` go install uses the current module's go.mod (pinned) or refuses to run, so only moving refs count.
import { argTexts, runCommands } from '../helpers.js';
import { defineRule } from '../rule.js';

export const rule = defineRule({
  meta: {
    id: 'BH-DF-071',
    aliases: ['DL3062'],
    severity: 'info',
    title: 'go install without a pinned version',
    rationale:
      '`go install module/cmd` without `@version`, or with `@latest`/`@master`/`@main`, builds whatever the module published last. Versions from variables (`@${VERSION}`) count as pinned.',
    remediation: 'Install a tagged version: `go install golang.org/x/tools/gopls@v0.16.1`.',
    references: ['https://github.com/hadolint/hadolint/wiki/DL3062', 'https://go.dev/ref/mod#go-install'],
    docsUrl: 'docs/rules/lint.md#bh-df-071',
  },
  check({ model, report }) {
    for (const { instruction, command } of runCommands(model)) {
      const args = argTexts(command);
      if (command.program !== 'go' || args[0] !== 'install') continue;
      const packages = args.slice(1).filter((a) => !a.startsWith('-'));
      const remote = packages.filter((p) => /@(latest|master|main)$/.test(p));
      if (remote.length > 0)
        report({
          instruction,
          command,
          message: `go install of ${remote.join(', ')} without a fixed version`,
        });
    }
  },
  cases: {
    valid: [
      'FROM golang\nRUN go install golang.org/x/tools/gopls@v0.16.1',
      'FROM golang\nRUN go install github.com/x/y@${Y_VERSION}',
      'FROM golang\nRUN go install ./cmd/...',
      'FROM golang\nRUN go install tool github.com/x/y/cmd/z',
    ],
    invalid: [
      { code: 'FROM golang\nRUN go install golang.org/x/tools/gopls@latest', errors: [{ line: 2 }] },
      { code: 'FROM golang\nRUN go install -v github.com/x/y@master', errors: [{ line: 2 }] },
    ],
  },
});
