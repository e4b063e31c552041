// BH-DF-063: an instruction keyword Docker does not know (often a continuation line that lost its backslash);
// BuildKit fails with "unknown instruction".
import { allInstructions } from '../model.js';
import { defineRule } from '../rule.js';

const KNOWN = new Set([
  'ADD',
  'ARG',
  'CMD',
  'COPY',
  'ENTRYPOINT',
  'ENV',
  'EXPOSE',
  'FROM',
  'HEALTHCHECK',
  'LABEL',
  'MAINTAINER',
  'ONBUILD',
  'RUN',
  'SHELL',
  'STOPSIGNAL',
  'USER',
  'VOLUME',
  'WORKDIR',
]);

export const rule = defineRule({
  meta: {
    id: 'BH-DF-063',
    aliases: [],
    severity: 'high',
    title: 'Unknown instruction',
    rationale:
      'A line starts with a word that is not a Dockerfile instruction. Usually the previous line lost its trailing backslash, so what was meant as arguments became an instruction. BuildKit stops with "unknown instruction".',
    remediation: 'Fix the keyword, or restore the line continuation on the line before.',
    references: ['https://docs.docker.com/reference/dockerfile/#overview'],
    docsUrl: 'docs/rules/lint.md#bh-df-063',
  },
  check({ model, report }) {
    for (const instruction of allInstructions(model)) {
      if (!KNOWN.has(instruction.keyword))
        report({ instruction, message: `unknown instruction ${instruction.keyword}` });
    }
  },
  cases: {
    valid: ['FROM alpine\nrun echo lower-case keywords are fine'],
    invalid: [
      {
        code: 'FROM alpine\nRUN apt-get update &&\n  apt-get install -y curl',
        errors: [{ line: 3, column: 3, message: 'unknown instruction APT-GET' }],
      },
    ],
  },
});
