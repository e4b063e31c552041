// BH-DF-027: two stages share a name (hadolint DL3024, Trivy DS-0012); BuildKit rejects the file.
import { defineRule } from '../rule.js';

export const rule = defineRule({
  meta: {
    id: 'BH-DF-027',
    aliases: ['DL3024', 'DS-0012', 'CKV_DOCKER_11'],
    severity: 'medium',
    title: 'Duplicate stage name',
    rationale:
      'Two FROM instructions use the same `AS` name (names compare case-insensitively). BuildKit fails with "duplicate stage name".',
    remediation: 'Give every stage a unique name.',
    references: [
      'https://github.com/hadolint/hadolint/wiki/DL3024',
      'https://avd.aquasec.com/misconfig/ds012',
    ],
    docsUrl: 'docs/rules/lint.md#bh-df-027',
  },
  check({ model, report }) {
    const seen = new Set<string>();
    for (const stage of model.stages) {
      if (stage.name === null) continue;
      if (seen.has(stage.name))
        report({ instruction: stage.from, message: `stage name "${stage.name}" is already used` });
      seen.add(stage.name);
    }
  },
  cases: {
    valid: ['FROM alpine AS a\nFROM alpine AS b'],
    invalid: [
      {
        code: 'FROM alpine AS a\nFROM debian AS A',
        errors: [{ line: 2, column: 1, message: 'stage name "a" is already used' }],
      },
    ],
  },
});
