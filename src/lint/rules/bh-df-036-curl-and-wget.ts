// BH-DF-036: both curl and wget in one stage (hadolint DL4001, Trivy DS-0014). Checked per stage: a builder using
// wget and a final stage using curl is fine.
import { runCommands } from '../helpers.js';
import { defineRule } from '../rule.js';

export const rule = defineRule({
  meta: {
    id: 'BH-DF-036',
    aliases: ['DL4001', 'DS-0014'],
    severity: 'info',
    title: 'Both curl and wget used in a stage',
    rationale:
      'A stage downloads with both curl and wget. Two HTTP clients mean two tools to install, patch and keep TLS settings consistent for. Checked per stage, unlike hadolint which counts the whole file.',
    remediation: 'Pick one client per stage.',
    references: [
      'https://github.com/hadolint/hadolint/wiki/DL4001',
      'https://avd.aquasec.com/misconfig/ds014',
    ],
    docsUrl: 'docs/rules/lint.md#bh-df-036',
  },
  check({ model, report }) {
    const firstUse = new Map<string, { program: string }>();
    for (const { instruction, command } of runCommands(model)) {
      if (command.program !== 'curl' && command.program !== 'wget') continue;
      const key = String(instruction.stageIndex);
      const first = firstUse.get(key);
      if (first === undefined) firstUse.set(key, { program: command.program });
      else if (first.program !== command.program) {
        report({
          instruction,
          command,
          message: `${command.program} used in a stage that already uses ${first.program}`,
        });
        firstUse.set(key, { program: '*' });
      }
    }
  },
  cases: {
    valid: [
      'FROM alpine\nRUN curl -o a https://x && curl -o b https://y',
      'FROM alpine AS a\nRUN wget https://x\nFROM alpine\nRUN curl https://y',
    ],
    invalid: [
      {
        code: 'FROM alpine\nRUN wget https://x\nRUN curl https://y',
        errors: [{ line: 3, column: 5, message: 'curl used in a stage that already uses wget' }],
      },
    ],
  },
});
