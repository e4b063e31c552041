// BH-DF-032: WORKDIR with a relative path (hadolint DL3000, Trivy DS-0009): it resolves against the previous
// WORKDIR, which depends on the base image.
import { allInstructions } from '../model.js';
import { defineRule } from '../rule.js';

export const rule = defineRule({
  meta: {
    id: 'BH-DF-032',
    aliases: ['DL3000', 'DS-0009', 'CKV_DOCKER_10'],
    severity: 'low',
    title: 'Relative WORKDIR',
    rationale:
      'WORKDIR is a relative path, so where files land depends on the WORKDIR the base image happened to set. Variables and Windows drive paths (C:\\app) are accepted.',
    remediation: 'Use an absolute path: `WORKDIR /app`.',
    references: [
      'https://github.com/hadolint/hadolint/wiki/DL3000',
      'https://avd.aquasec.com/misconfig/ds009',
    ],
    docsUrl: 'docs/rules/lint.md#bh-df-032',
  },
  check({ model, report }) {
    for (const instruction of allInstructions(model)) {
      if (instruction.keyword !== 'WORKDIR') continue;
      const path = instruction.text.trim().replace(/^["']|["']$/g, '');
      if (
        path === '' ||
        path.startsWith('/') ||
        path.startsWith('$') ||
        /^[A-Za-z]:[\\/]/.test(path) ||
        path.startsWith('\\')
      )
        continue;
      report({ instruction, message: `WORKDIR ${path} is relative` });
    }
  },
  cases: {
    valid: [
      'FROM alpine\nWORKDIR /app',
      'FROM alpine\nWORKDIR $HOME/app',
      'FROM mcr.microsoft.com/windows/servercore:ltsc2022\nWORKDIR C:\\app',
      'FROM alpine\nWORKDIR "/my app"',
    ],
    invalid: [
      {
        code: 'FROM alpine\nWORKDIR app',
        errors: [{ line: 2, column: 1, message: 'WORKDIR app is relative' }],
      },
    ],
  },
});
