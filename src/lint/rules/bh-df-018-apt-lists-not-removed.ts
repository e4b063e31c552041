// BH-DF-018: apt-get install without removing /var/lib/apt/lists in the same RUN (hadolint DL3009): the package
// indexes stay in the layer. Cache mounts on /var/lib/apt and builder stages are exempt (nothing lands in the image).
import { argTexts, runInstructions, subcommandOf } from '../helpers.js';
import { commandsOf, finalStage } from '../model.js';
import { defineRule } from '../rule.js';

export const rule = defineRule({
  meta: {
    id: 'BH-DF-018',
    aliases: ['DL3009'],
    severity: 'info',
    title: 'APT lists not removed after install',
    rationale:
      'A RUN installs packages with apt-get but does not `rm -rf /var/lib/apt/lists/*` in the same step, leaving tens of megabytes of package indexes in the layer. Only the final stage is checked (builder stages do not ship), and RUNs with a cache or tmpfs mount on /var/lib/apt are exempt.',
    remediation:
      'End the RUN with `&& rm -rf /var/lib/apt/lists/*`, or use `RUN --mount=type=cache,target=/var/lib/apt ...`.',
    references: ['https://github.com/hadolint/hadolint/wiki/DL3009'],
    docsUrl: 'docs/rules/lint.md#bh-df-018',
  },
  check({ model, report }) {
    const last = finalStage(model);
    for (const instruction of runInstructions(model)) {
      if (instruction.stageIndex !== last?.index) continue;
      if (
        instruction.flags.some((f) => f.name === 'mount' && (f.value ?? '').includes('target=/var/lib/apt'))
      )
        continue;
      const commands = commandsOf(instruction);
      const install = commands.find(
        (c) => c.program === 'apt-get' && subcommandOf(c, ['-o', '-c', '-t']) === 'install',
      );
      if (install === undefined) continue;
      // apt 3.0 (Debian 13) has `apt-get dist-clean`, which removes the lists too.
      const cleans = commands.some(
        (c) =>
          (c.program === 'rm' && argTexts(c).some((a) => a.startsWith('/var/lib/apt/lists'))) ||
          (c.program === 'apt-get' && argTexts(c).includes('dist-clean')),
      );
      if (!cleans)
        report({
          instruction,
          command: install,
          message: 'apt-get install without rm -rf /var/lib/apt/lists/* in the same RUN',
        });
    }
  },
  cases: {
    valid: [
      'FROM debian\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*',
      'FROM debian:trixie\nRUN apt-get update; apt-get install -y curl; apt-get dist-clean',
      'FROM debian AS build\nRUN apt-get update && apt-get install -y gcc\nFROM scratch',
      'FROM debian\nRUN --mount=type=cache,target=/var/lib/apt,sharing=locked apt-get update && apt-get install -y curl',
    ],
    invalid: [{ code: 'FROM debian\nRUN apt-get update && apt-get install -y curl', errors: [{ line: 2 }] }],
  },
});
