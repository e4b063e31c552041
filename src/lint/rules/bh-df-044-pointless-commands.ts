// BH-DF-044: commands that make no sense in a build step (hadolint DL3001): interactive tools and service control.
import { runCommands } from '../helpers.js';
import { defineRule } from '../rule.js';

const POINTLESS = new Set([
  'ssh',
  'vim',
  'vi',
  'nano',
  'shutdown',
  'reboot',
  'service',
  'systemctl',
  'ps',
  'free',
  'top',
  'htop',
  'kill',
  'mount',
  'ifconfig',
]);

export const rule = defineRule({
  meta: {
    id: 'BH-DF-044',
    aliases: ['DL3001'],
    severity: 'info',
    title: 'Command that makes no sense in a build',
    rationale:
      'A RUN calls an interactive or host-management command (ssh, vim, shutdown, service, systemctl, ps, top, free, kill, mount, ifconfig). During a build there is no service manager, terminal or long-lived process; the command does nothing useful or fails. Installing these tools is not reported, only running them.',
    remediation: 'Remove the command; configure services through the entrypoint.',
    references: ['https://github.com/hadolint/hadolint/wiki/DL3001'],
    docsUrl: 'docs/rules/lint.md#bh-df-044',
  },
  check({ model, report }) {
    for (const { instruction, command } of runCommands(model)) {
      if (POINTLESS.has(command.program) && command.parent === undefined)
        report({ instruction, command, message: `${command.program} has no use in a build step` });
    }
  },
  cases: {
    valid: ['FROM debian\nRUN apt-get install -y vim procps', 'FROM debian\nRUN echo service'],
    invalid: [
      {
        code: 'FROM debian\nRUN service nginx start',
        errors: [{ line: 2, column: 5, message: 'service has no use in a build step' }],
      },
      {
        code: 'FROM debian\nRUN ps aux && make',
        errors: [{ line: 2, column: 5, message: 'ps has no use in a build step' }],
      },
    ],
  },
});
