// BH-DF-021: `apk add` without --no-cache (hadolint DL3019, Trivy DS-0025) leaves the index in /var/cache/apk.
import { argTexts, runInstructions, subcommandOf } from '../helpers.js';
import { commandsOf } from '../model.js';
import { defineRule } from '../rule.js';

export const rule = defineRule({
  meta: {
    id: 'BH-DF-021',
    aliases: ['DL3019', 'DS-0025'],
    severity: 'low',
    title: 'apk add without --no-cache',
    rationale:
      '`apk add` keeps the downloaded index in /var/cache/apk unless --no-cache is given. Accepted alternatives: removing /var/cache/apk in the same RUN, or a cache mount on /var/cache/apk (or /etc/apk/cache).',
    remediation: 'Use `apk add --no-cache PACKAGES`.',
    references: [
      'https://github.com/hadolint/hadolint/wiki/DL3019',
      'https://avd.aquasec.com/misconfig/ds025',
    ],
    docsUrl: 'docs/rules/lint.md#bh-df-021',
  },
  check({ model, report }) {
    for (const instruction of runInstructions(model)) {
      if (
        instruction.flags.some(
          (f) => f.name === 'mount' && /target=\/(var\/cache\/apk|etc\/apk\/cache)/.test(f.value ?? ''),
        )
      )
        continue;
      const commands = commandsOf(instruction);
      const cleans = commands.some(
        (c) => c.program === 'rm' && argTexts(c).some((a) => a.startsWith('/var/cache/apk')),
      );
      for (const command of commands) {
        if (
          command.program !== 'apk' ||
          subcommandOf(command, ['-X', '--repository', '-p', '--root', '-t', '--virtual']) !== 'add'
        )
          continue;
        // --no-network installs from local files only and fetches no index to cache.
        const args = argTexts(command);
        if (!args.includes('--no-cache') && !args.includes('--no-network') && !cleans)
          report({ instruction, command, message: 'apk add without --no-cache' });
      }
    }
  },
  cases: {
    valid: [
      'FROM alpine\nRUN apk add --no-network --virtual .rundeps $runDeps',
      'FROM alpine\nRUN apk add --no-cache curl',
      'FROM alpine\nRUN apk add curl && rm -rf /var/cache/apk/*',
      'FROM alpine\nRUN --mount=type=cache,target=/var/cache/apk apk add curl',
    ],
    invalid: [
      {
        code: 'FROM alpine\nRUN apk add curl',
        errors: [{ line: 2, column: 5, message: 'apk add without --no-cache' }],
      },
      {
        code: 'FROM alpine\nRUN apk add -t .deps gcc',
        errors: [{ line: 2, column: 5, message: 'apk add without --no-cache' }],
      },
      // A fragment without FROM (a template, a hadolint spec) is linted too.
      { code: 'RUN apk add curl', errors: [{ line: 1, column: 5, message: 'apk add without --no-cache' }] },
    ],
  },
});
