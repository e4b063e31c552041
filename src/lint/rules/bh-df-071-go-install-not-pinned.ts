// BH-DF-071: `go install|run|get module@latest` (or @master/@main), or `go get module` (hadolint DL3062): the tool
// changes with every build. Without `@version` go install/run use the current module's go.mod (pinned) or refuse to
// run, so for them only moving refs count; go get without a version records the newest release.
import { argTexts, runCommands } from '../helpers.js';
import { defineRule } from '../rule.js';

export const rule = defineRule({
  meta: {
    id: 'BH-DF-071',
    aliases: ['DL3062'],
    severity: 'info',
    title: 'go install without a pinned version',
    rationale:
      '`go install`, `go run` or `go get` of a module at `@latest`/`@master`/`@main`, or `go get module` without a version, builds whatever the module published last. Without a version, `go install` and `go run` build the version the current go.mod requires, so they count as pinned; versions from variables (`@${VERSION}`) do too.',
    remediation: 'Install a tagged version: `go install golang.org/x/tools/gopls@v0.16.1`.',
    references: ['https://github.com/hadolint/hadolint/wiki/DL3062', 'https://go.dev/ref/mod#go-install'],
    docsUrl: 'docs/rules/lint.md#bh-df-071',
  },
  check({ model, report }) {
    for (const { instruction, command } of runCommands(model)) {
      const args = argTexts(command);
      const sub = args[0] ?? '';
      if (command.program !== 'go' || !['install', 'get', 'run'].includes(sub)) continue;
      const words = args.slice(1).filter((a) => !a.startsWith('-'));
      // `go run pkg args...`: only the first word is a package.
      const packages = (sub === 'run' ? words.slice(0, 1) : words).filter(
        (p) => p !== '.' && !p.startsWith('.') && !p.startsWith('/') && !p.includes('$'),
      );
      // A moving ref is never pinned. Without `@version`, `go install`/`go run` build the version the current
      // module's go.mod requires (pinned), but `go get` records the newest release.
      const remote = packages.filter(
        (p) => /@(latest|master|main|upgrade|patch)$/.test(p) || (sub === 'get' && !p.includes('@')),
      );
      if (remote.length > 0)
        report({
          instruction,
          command,
          message: `go ${sub} of ${remote.join(', ')} without a fixed version`,
        });
    }
  },
  cases: {
    valid: [
      'FROM golang\nRUN go install golang.org/x/tools/gopls@v0.16.1',
      'FROM golang\nRUN go install github.com/x/y@${Y_VERSION}',
      'FROM golang\nRUN go install ./cmd/...',
      'FROM golang\nRUN go install tool github.com/x/y/cmd/z',
      'FROM golang\nRUN go run ./cmd/gen input@latest',
      'FROM golang\nRUN go get example.com/pkg@v1.2.3',
    ],
    invalid: [
      {
        code: 'FROM golang\nRUN go install golang.org/x/tools/gopls@latest',
        errors: [
          {
            line: 2,
            column: 5,
            message: 'go install of golang.org/x/tools/gopls@latest without a fixed version',
          },
        ],
      },
      {
        code: 'FROM golang\nRUN go install -v github.com/x/y@master',
        errors: [
          { line: 2, column: 5, message: 'go install of github.com/x/y@master without a fixed version' },
        ],
      },
      {
        code: 'FROM golang\nRUN go get example.com/pkg',
        errors: [{ line: 2, column: 5, message: 'go get of example.com/pkg without a fixed version' }],
      },
      {
        code: 'FROM golang\nRUN go get -tool foobar@latest',
        errors: [{ line: 2, column: 5, message: 'go get of foobar@latest without a fixed version' }],
      },
      {
        code: 'FROM golang\nRUN go run example.com/pkg@latest -flag',
        errors: [{ line: 2, column: 5, message: 'go run of example.com/pkg@latest without a fixed version' }],
      },
    ],
  },
});
