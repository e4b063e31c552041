// BH-DF-014: RUN uses sudo (hadolint DL3004, Trivy DS-0010); builds already run as the USER in effect, and sudo in an
// image is a privilege escalation path left behind.
import { runCommands } from '../helpers.js';
import { defineRule } from '../rule.js';

export const rule = defineRule({
  meta: {
    id: 'BH-DF-014',
    aliases: ['DL3004', 'DS-0010', 'CKV2_DOCKER_1'],
    severity: 'medium',
    title: 'sudo in RUN',
    rationale:
      'A RUN command calls sudo. Build steps run as the current USER; switching with `USER root` for the step is explicit and leaves no sudo binary or sudoers rule in the image for an attacker to use.',
    remediation:
      'Switch with `USER root` before the step and back to the unprivileged user after it; do not install sudo.',
    references: [
      'https://github.com/hadolint/hadolint/wiki/DL3004',
      'https://avd.aquasec.com/misconfig/ds010',
    ],
    docsUrl: 'docs/rules/lint.md#bh-df-014',
  },
  check({ model, report }) {
    for (const { instruction, command } of runCommands(model)) {
      if (command.program === 'sudo' && command.wrapper === undefined)
        report({ instruction, command, message: 'sudo used in RUN' });
    }
  },
  cases: {
    valid: [
      'FROM alpine\nRUN apk add sudo',
      'FROM alpine\nRUN echo sudo',
      'FROM alpine\nRUN echo "%wheel ALL=(ALL) ALL" > /etc/sudoers.d/wheel',
    ],
    invalid: [
      {
        code: 'FROM debian\nRUN sudo apt-get update',
        errors: [{ line: 2, column: 5, message: 'sudo used in RUN' }],
      },
      {
        code: 'FROM debian\nRUN true && \\\n  sudo -u app make',
        errors: [{ line: 3, column: 3, message: 'sudo used in RUN' }],
      },
    ],
  },
});
