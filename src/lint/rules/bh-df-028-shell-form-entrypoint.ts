// BH-DF-028: CMD or ENTRYPOINT in shell form (hadolint DL3025): `/bin/sh -c` becomes PID 1 and does not forward
// SIGTERM, so `docker stop` waits its timeout and then kills the app without a clean shutdown.
import { allInstructions } from '../model.js';
import { defineRule } from '../rule.js';

export const rule = defineRule({
  meta: {
    id: 'BH-DF-028',
    aliases: ['DL3025'],
    severity: 'low',
    title: 'CMD/ENTRYPOINT in shell form',
    rationale:
      'CMD or ENTRYPOINT is written in shell form, so the container runs `/bin/sh -c "..."` as PID 1. The shell does not pass SIGTERM to the application: shutdowns take the full stop timeout and end in SIGKILL. A shell-form command that starts with `exec` replaces the shell and is not reported.',
    remediation: 'Use the JSON (exec) form: `CMD ["nginx", "-g", "daemon off;"]`.',
    references: [
      'https://github.com/hadolint/hadolint/wiki/DL3025',
      'https://docs.docker.com/reference/dockerfile/#shell-and-exec-form',
    ],
    docsUrl: 'docs/rules/lint.md#bh-df-028',
  },
  check({ model, report }) {
    for (const instruction of allInstructions(model)) {
      if (instruction.keyword === 'HEALTHCHECK') {
        // `HEALTHCHECK CMD probe` runs `/bin/sh -c probe`: it needs a shell in the image (distroless has none).
        const probe = /^CMD\s+(.*)$/is.exec(instruction.text.trim())?.[1]?.trim() ?? '';
        if (probe !== '' && !probe.startsWith('['))
          report({ instruction, message: 'HEALTHCHECK CMD in shell form needs /bin/sh in the image to run' });
        continue;
      }
      if (
        (instruction.keyword !== 'CMD' && instruction.keyword !== 'ENTRYPOINT') ||
        instruction.execForm !== null ||
        instruction.text.trim() === ''
      )
        continue;
      if (/^exec\s/.test(instruction.text.trim())) continue;
      report({
        instruction,
        message: `${instruction.keyword} in shell form runs under /bin/sh -c, which does not forward signals`,
      });
    }
  },
  cases: {
    valid: [
      'FROM alpine\nCMD ["app", "--serve"]',
      'FROM alpine\nENTRYPOINT ["/entrypoint.sh"]',
      'FROM alpine\nCMD exec app --serve',
      'FROM alpine\nHEALTHCHECK CMD ["/app", "health"]',
      'FROM alpine\nHEALTHCHECK NONE',
    ],
    invalid: [
      {
        code: 'FROM alpine\nCMD app --serve',
        errors: [
          {
            line: 2,
            column: 1,
            message: 'CMD in shell form runs under /bin/sh -c, which does not forward signals',
          },
        ],
      },
      {
        code: 'FROM alpine\nENTRYPOINT /entrypoint.sh',
        errors: [
          {
            line: 2,
            column: 1,
            message: 'ENTRYPOINT in shell form runs under /bin/sh -c, which does not forward signals',
          },
        ],
      },
      {
        code: 'FROM alpine\nHEALTHCHECK --interval=5s CMD curl -f http://localhost/',
        errors: [
          { line: 2, column: 1, message: 'HEALTHCHECK CMD in shell form needs /bin/sh in the image to run' },
        ],
      },
    ],
  },
});
