// BH-DF-001: the final stage explicitly runs as root (hadolint DL3002). Only the last stage becomes the image, so
// `USER root` in a builder stage is fine; a final stage that inherits from an earlier stage inherits its USER.
import { finalStage, type LintInstruction, type Stage } from '../model.js';
import { defineRule } from '../rule.js';
import { substituteVariables } from '../parse.js';
import { isRootUser } from '../../shared/user.js';

/** The last USER instruction in effect for a stage, following `FROM <stage>` chains. */
export function effectiveUser(stage: Stage): { instruction: LintInstruction; user: string } | undefined {
  for (let s: Stage | null = stage; s !== null; s = s.parent) {
    const users = s.instructions.filter((i) => i.keyword === 'USER');
    const last = users[users.length - 1];
    if (last !== undefined)
      return { instruction: last, user: substituteVariables(last.args.join(' '), s.variables).trim() };
  }
  return undefined;
}

export const rule = defineRule({
  meta: {
    id: 'BH-DF-001',
    aliases: ['DL3002', 'CKV_DOCKER_8'],
    severity: 'high',
    title: 'Final stage runs as root',
    rationale:
      'The last USER of the final build stage is root (or uid 0, or ContainerAdministrator on Windows), so every process in the container runs as root. A container breakout (for example CVE-2019-5736 or CVE-2024-21626) then starts from root.',
    remediation:
      'Create an unprivileged user and end the final stage with `USER <name or uid>`; keep `USER root` only in builder stages.',
    references: [
      'https://docs.docker.com/build/building/best-practices/#user',
      'https://github.com/hadolint/hadolint/wiki/DL3002',
    ],
    docsUrl: 'docs/rules/lint.md#bh-df-001',
  },
  check({ model, report }) {
    const stage = finalStage(model);
    if (stage === undefined) return;
    const found = effectiveUser(stage);
    if (found !== undefined && isRootUser(found.user, { defaultIsRoot: false, windows: true })) {
      report({ instruction: found.instruction, message: `the final stage runs as "${found.user}"` });
    }
  },
  cases: {
    valid: [
      'FROM alpine\nUSER app',
      'FROM alpine AS build\nUSER root\nRUN make\nFROM alpine\nUSER 1000:1000',
      'FROM alpine\nUSER root\nRUN apk add curl\nUSER nobody',
      'FROM alpine',
      // runc matches names exactly: there is no user ROOT, so this image fails to start rather than run as root
      'FROM alpine\nUSER ROOT',
    ],
    invalid: [
      {
        code: 'FROM alpine\nUSER root',
        errors: [{ line: 2, column: 1, message: 'the final stage runs as "root"' }],
      },
      {
        code: 'FROM alpine\nUSER 0:0',
        errors: [{ line: 2, column: 1, message: 'the final stage runs as "0:0"' }],
      },
      // strconv.Atoi (src/shared/user.ts): a sign and leading zeros still mean uid 0
      {
        code: 'FROM alpine\nUSER +0',
        errors: [{ line: 2, column: 1, message: 'the final stage runs as "+0"' }],
      },
      {
        code: 'FROM alpine\nUSER 00:00',
        errors: [{ line: 2, column: 1, message: 'the final stage runs as "00:00"' }],
      },
      {
        code: 'FROM alpine AS base\nUSER root\nFROM base\nRUN id',
        errors: [{ line: 2, column: 1, message: 'the final stage runs as "root"' }],
      },
      {
        code: 'FROM mcr.microsoft.com/windows/servercore:ltsc2022\nUSER ContainerAdministrator',
        errors: [{ line: 2, column: 1, message: 'the final stage runs as "ContainerAdministrator"' }],
      },
      {
        code: 'FROM alpine\nARG U=root\nUSER ${U}',
        errors: [{ line: 3, column: 1, message: 'the final stage runs as "root"' }],
      },
    ],
  },
});
