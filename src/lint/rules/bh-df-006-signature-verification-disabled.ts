// BH-DF-006: package signature checks are turned off (apk --allow-untrusted, yum/dnf --nogpgcheck, rpm
// --nosignature, zypper --no-gpg-checks, apt --allow-unauthenticated / [trusted=yes]), so a tampered package installs.
import { argTexts, hasOption, runCommands } from '../helpers.js';
import { defineRule } from '../rule.js';
import type { ShellCommand } from '../shell.js';

function problem(command: ShellCommand): string | undefined {
  const args = argTexts(command);
  switch (command.program) {
    case 'apk':
      return hasOption(command, { long: ['--allow-untrusted'] })
        ? 'apk --allow-untrusted installs unsigned packages'
        : undefined;
    case 'yum':
    case 'dnf':
    case 'microdnf':
    case 'tdnf':
      if (hasOption(command, { long: ['--nogpgcheck', '--no-gpgchecks'] }))
        return `${command.program} --nogpgcheck skips package signatures`;
      if (args.some((a) => /^--setopt=(.*\.)?gpgcheck=(0|false|no)$/i.test(a)))
        return `${command.program} --setopt=gpgcheck=0 skips package signatures`;
      return undefined;
    case 'rpm':
      return hasOption(command, { long: ['--nosignature', '--nodigest'] })
        ? 'rpm --nosignature/--nodigest skips package verification'
        : undefined;
    case 'zypper':
      return hasOption(command, { long: ['--no-gpg-checks', '--gpg-auto-import-keys'] })
        ? 'zypper skips or auto-accepts package signing keys'
        : undefined;
    case 'apt-get':
    case 'apt':
    case 'aptitude':
      if (
        hasOption(command, {
          long: ['--allow-unauthenticated', '--force-yes', '--allow-insecure-repositories'],
        })
      ) {
        return `${command.program} allows unauthenticated packages`;
      }
      if (
        args.some(
          (a) =>
            /APT::Get::AllowUnauthenticated\s*=\s*"?(true|1|yes)"?/i.test(a) ||
            /Acquire::AllowInsecureRepositories\s*=\s*"?(true|1|yes)"?/i.test(a),
        )
      ) {
        return `${command.program} allows unauthenticated packages`;
      }
      return undefined;
    case 'echo':
    case 'printf':
    case 'tee':
      // A local file:/copy: repository of packages built in the same step has no signer; only remote ones matter.
      return args.some((a) => /\[[^\]]*\btrusted=yes\b[^\]]*\]/.test(a) && !/\]\s*(file|copy):/.test(a))
        ? 'an APT source is marked [trusted=yes], so its signatures are not checked'
        : undefined;
    default:
      return undefined;
  }
}

export const rule = defineRule({
  meta: {
    id: 'BH-DF-006',
    aliases: [],
    severity: 'high',
    title: 'Package signature verification disabled',
    rationale:
      'A package manager runs with signature checks off: apk --allow-untrusted, yum/dnf --nogpgcheck or gpgcheck=0, rpm --nosignature, zypper --no-gpg-checks, apt-get --allow-unauthenticated/--force-yes, or an APT source written with [trusted=yes]. Signatures are what protects packages fetched over plain HTTP mirrors.',
    remediation:
      'Import the repository signing key (apk: /etc/apk/keys; rpm --import; apt: signed-by=/usr/share/keyrings/KEY.gpg) and drop the switch.',
    references: [
      'https://wiki.debian.org/SecureApt',
      'https://wiki.alpinelinux.org/wiki/Alpine_Package_Keeper',
    ],
    docsUrl: 'docs/rules/lint.md#bh-df-006',
  },
  check({ model, report }) {
    for (const { instruction, command } of runCommands(model)) {
      const message = problem(command);
      // Checkov's check for the same switch (CKV2_DOCKER_7: apk --allow-untrusted).
      const aliases = command.program === 'apk' ? ['CKV2_DOCKER_7'] : [];
      if (message !== undefined) report({ instruction, command, message, aliases });
    }
  },
  cases: {
    valid: [
      'FROM alpine\nRUN apk add --no-cache curl',
      'FROM fedora\nRUN dnf install -y nginx',
      'FROM debian\nRUN echo "deb [signed-by=/usr/share/keyrings/x.gpg] https://example.com stable main" > /etc/apt/sources.list.d/x.list',
      "FROM debian\nRUN echo 'deb [ trusted=yes ] file:///tmp/repo ./' > /etc/apt/sources.list.d/temp.list",
    ],
    invalid: [
      {
        code: 'FROM alpine\nRUN apk add --allow-untrusted /tmp/x.apk',
        errors: [{ line: 2, column: 5, message: 'apk --allow-untrusted installs unsigned packages' }],
      },
      {
        code: 'FROM centos\nRUN yum install -y --nogpgcheck x',
        errors: [{ line: 2, column: 5, message: 'yum --nogpgcheck skips package signatures' }],
      },
      {
        code: 'FROM fedora\nRUN dnf --setopt=gpgcheck=0 install -y x',
        errors: [{ line: 2, column: 5, message: 'dnf --setopt=gpgcheck=0 skips package signatures' }],
      },
      {
        code: 'FROM debian\nRUN apt-get install -y --allow-unauthenticated x',
        errors: [{ line: 2, column: 5, message: 'apt-get allows unauthenticated packages' }],
      },
      {
        code: 'FROM debian\nRUN echo "deb [trusted=yes] http://example.com/ ./" > /etc/apt/sources.list.d/x.list',
        errors: [
          {
            line: 2,
            column: 5,
            message: 'an APT source is marked [trusted=yes], so its signatures are not checked',
          },
        ],
      },
      {
        code: 'FROM opensuse/leap\nRUN zypper --no-gpg-checks install -y x',
        errors: [{ line: 2, column: 5, message: 'zypper skips or auto-accepts package signing keys' }],
      },
    ],
  },
});
