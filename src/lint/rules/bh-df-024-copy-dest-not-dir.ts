// BH-DF-024: COPY/ADD with several sources and a destination without trailing slash (hadolint DL3021, Trivy
// DS-0011); BuildKit refuses the build ("When using COPY with more than one source file, the destination must be a
// directory and end with a /").
import { allInstructions } from '../model.js';
import { copyOperands } from '../helpers.js';
import { defineRule } from '../rule.js';

export const rule = defineRule({
  meta: {
    id: 'BH-DF-024',
    aliases: ['DL3021', 'DS-0011'],
    severity: 'medium',
    title: 'Multiple sources copied to a destination without trailing slash',
    rationale:
      'COPY or ADD has more than one source but the destination does not end with `/`. The build fails. Wildcard sources count as several.',
    remediation: 'End the destination with `/`: `COPY a b /app/`.',
    references: [
      'https://github.com/hadolint/hadolint/wiki/DL3021',
      'https://docs.docker.com/reference/dockerfile/#copy',
    ],
    docsUrl: 'docs/rules/lint.md#bh-df-024',
  },
  check({ model, report }) {
    for (const instruction of allInstructions(model)) {
      const operands = copyOperands(instruction, model.escape);
      if (operands === undefined) continue;
      const { sources, dest } = operands;
      // BuildKit treats "." and ".." (the WORKDIR and its parent) as directories too.
      const isDir =
        dest.endsWith('/') || dest.endsWith('\\') || dest === '.' || dest === '..' || dest.endsWith('/.');
      if (sources.length > 1 && !isDir && !dest.includes('$'))
        report({
          instruction,
          message: `${sources.length} sources copied to ${dest}, which does not end with /`,
        });
    }
  },
  cases: {
    valid: [
      'FROM alpine\nCOPY a b /app/',
      'FROM alpine\nWORKDIR /src\nCOPY go.mod go.sum .',
      'FROM alpine\nCOPY a /app',
      'FROM alpine\nCOPY ["a", "b", "/app/"]',
      'FROM alpine\nCOPY a b $DEST',
    ],
    invalid: [
      {
        code: 'FROM alpine\nCOPY a b /app',
        errors: [{ line: 2, column: 1, message: '2 sources copied to /app, which does not end with /' }],
      },
      {
        code: 'FROM alpine\nADD ["a", "b", "/app"]',
        errors: [{ line: 2, column: 1, message: '2 sources copied to /app, which does not end with /' }],
      },
    ],
  },
});
