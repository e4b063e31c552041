// BH-DF-058: COPY/ADD to a relative destination before any WORKDIR in the stage (hadolint DL3045): where the files
// land depends on the base image's WORKDIR.
import { lintStages, type Stage } from '../model.js';
import { copyOperands } from '../helpers.js';
import { defineRule } from '../rule.js';

function hasWorkdirBefore(stage: Stage, line: number): boolean {
  if (stage.instructions.some((i) => i.keyword === 'WORKDIR' && i.line < line)) return true;
  for (let p = stage.parent; p !== null; p = p.parent)
    if (p.instructions.some((i) => i.keyword === 'WORKDIR')) return true;
  return false;
}

export const rule = defineRule({
  meta: {
    id: 'BH-DF-058',
    aliases: ['DL3045'],
    severity: 'low',
    title: 'COPY to a relative path without WORKDIR',
    rationale:
      "COPY or ADD targets a relative path while no WORKDIR was set in the stage (or the stages it builds on), so the destination depends on the base image's WORKDIR, which can change between base image versions.",
    remediation: 'Set `WORKDIR /app` first, or use an absolute destination.',
    references: ['https://github.com/hadolint/hadolint/wiki/DL3045'],
    docsUrl: 'docs/rules/lint.md#bh-df-058',
  },
  check({ model, report }) {
    for (const stage of lintStages(model)) {
      for (const instruction of stage.instructions) {
        const operands = copyOperands(instruction, model.escape);
        if (operands === undefined) continue;
        const dest = operands.dest.replace(/^["']|["']$/g, '');
        if (
          operands.sources.length === 0 ||
          dest.startsWith('/') ||
          dest.startsWith('$') ||
          // A drive letter: `c:\dir` (BuildKit's escape processing may already have eaten the backslash).
          /^[A-Za-z]:/.test(dest) ||
          dest.startsWith('\\')
        )
          continue;
        if (!hasWorkdirBefore(stage, instruction.line))
          report({ instruction, message: `${instruction.keyword} to relative ${dest} without a WORKDIR` });
      }
    }
  },
  cases: {
    valid: [
      'FROM alpine\nWORKDIR /app\nCOPY . .',
      'FROM alpine\nCOPY a /app/',
      'FROM alpine AS b\nWORKDIR /src\nFROM b\nCOPY x .',
    ],
    invalid: [
      {
        code: 'FROM alpine\nCOPY package.json ./',
        errors: [{ line: 2, column: 1, message: 'COPY to relative ./ without a WORKDIR' }],
      },
    ],
  },
});
