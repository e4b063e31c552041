// BH-DF-046: an instruction other than ARG (or a parser directive/comment) comes before the first FROM (hadolint
// DL3061); BuildKit rejects the file.
import { defineRule } from '../rule.js';

export const rule = defineRule({
  meta: {
    id: 'BH-DF-046',
    aliases: ['DL3061'],
    severity: 'high',
    title: 'Instruction before the first FROM',
    rationale:
      'Only ARG, comments and parser directives may come before the first FROM. BuildKit fails with "no build stage in current context".',
    remediation: 'Start the Dockerfile with FROM (ARGs used in FROM may precede it).',
    references: [
      'https://github.com/hadolint/hadolint/wiki/DL3061',
      'https://docs.docker.com/reference/dockerfile/#understand-how-arg-and-from-interact',
    ],
    docsUrl: 'docs/rules/lint.md#bh-df-046',
  },
  check({ model, report }) {
    for (const instruction of model.instructions) {
      if (instruction.stageIndex === -1 && instruction.keyword !== 'ARG')
        report({ instruction, message: `${instruction.keyword} before the first FROM` });
    }
  },
  cases: {
    valid: ['# syntax=docker/dockerfile:1\nARG V=1\nFROM alpine:${V}'],
    invalid: [
      {
        code: 'LABEL a=b\nFROM alpine',
        errors: [{ line: 1, column: 1, message: 'LABEL before the first FROM' }],
      },
    ],
  },
});
