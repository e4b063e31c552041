// Version-pinning checks for package installs (hadolint DL3008 apt, DL3018 apk, DL3013 pip, DL3016 npm, DL3028 gem):
// which arguments of an install command are package names, and whether each carries a version.
import { argTexts } from './helpers.js';
import type { ShellCommand } from './shell.js';

/** Options that take a value, per tool, so the value is not mistaken for a package. */
const VALUE_OPTIONS: Readonly<Record<string, readonly string[]>> = {
  apt: ['-o', '-c', '-t', '--option', '--config-file', '--target-release', '-a', '--host-architecture'],
  apk: [
    '-X',
    '--repository',
    '-p',
    '--root',
    '-t',
    '--virtual',
    '--arch',
    '--cache-dir',
    '--keys-dir',
    '--repositories-file',
  ],
  pip: [
    '-r',
    '--requirement',
    '-c',
    '--constraint',
    '-e',
    '--editable',
    '-i',
    '--index-url',
    '--extra-index-url',
    '--trusted-host',
    '-t',
    '--target',
    '--root',
    '--prefix',
    '-f',
    '--find-links',
    '--platform',
    '--python-version',
    '--implementation',
    '--abi',
    '--progress-bar',
    '--src',
    '--upgrade-strategy',
    '--cache-dir',
    '--log',
    '--proxy',
    '--retries',
    '--timeout',
    '--exists-action',
    '--cert',
    '--client-cert',
    '--only-binary',
    '--no-binary',
    '--config-settings',
    '-C',
    '--report',
    '--root-user-action',
    '-b',
    '--build',
    '--python',
  ],
  npm: [
    '--prefix',
    '-w',
    '--workspace',
    '--registry',
    '--cache',
    '--tag',
    '--omit',
    '--include',
    '--install-strategy',
    '--loglevel',
  ],
  gem: [
    '-v',
    '--version',
    '-i',
    '--install-dir',
    '-n',
    '--bindir',
    '--source',
    '-s',
    '--platform',
    '-P',
    '--trust-policy',
  ],
};

export interface PackageArg {
  readonly name: string;
  readonly pinned: boolean;
}

function packageWords(command: ShellCommand, tool: string, afterIndex: number): string[] {
  const args = argTexts(command).slice(afterIndex);
  const withValue = VALUE_OPTIONS[tool] ?? [];
  const out: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const a = args[i] ?? '';
    if (a === '--') break;
    if (a.startsWith('-')) {
      if (withValue.includes(a)) i += 1;
      continue;
    }
    out.push(a);
  }
  return out;
}

/** Words that are not package names from a registry: variables, local files, URLs, VCS specs. */
function notARegistryPackage(word: string): boolean {
  return (
    word.includes('$') ||
    word.includes('/') ||
    word.startsWith('.') ||
    /\.(deb|apk|rpm|whl|tar\.gz|zip|gem|tgz)$/.test(word) ||
    /^[a-z+]+:/.test(word)
  );
}

export function aptPackages(command: ShellCommand): PackageArg[] {
  const args = argTexts(command);
  const index = args.indexOf('install');
  if (command.program !== 'apt-get' || index === -1) return [];
  return packageWords(command, 'apt', index + 1)
    .filter((w) => !notARegistryPackage(w) && !w.endsWith('-'))
    .map((w) => ({ name: w, pinned: w.includes('=') }));
}

export function apkPackages(command: ShellCommand): PackageArg[] {
  const args = argTexts(command);
  const index = args.indexOf('add');
  if (command.program !== 'apk' || index === -1) return [];
  return packageWords(command, 'apk', index + 1)
    .filter((w) => !notARegistryPackage(w))
    .map((w) => ({ name: w, pinned: /[=~<>]/.test(w) }));
}

/** pip's VCS URL schemes (https://pip.pypa.io/en/stable/topics/vcs-support/): pinned only with `@ref`. */
const PIP_VCS = /^(git|hg|svn|bzr)(\+[a-z-]+)?:/;

export function pipPackages(command: ShellCommand): PackageArg[] {
  const args = argTexts(command);
  let start = -1;
  if (/^pip[0-9.]*$/.test(command.program) && args[0] === 'install') start = 1;
  // pipx installs an application into its own venv from the same package specs.
  if (command.program === 'pipx' && args[0] === 'install') start = 1;
  const m = args.indexOf('-m');
  if (
    /^python[0-9.]*$/.test(command.program) &&
    m !== -1 &&
    args[m + 1] === 'pip' &&
    args[m + 2] === 'install'
  )
    start = m + 3;
  if (start === -1) return [];
  // A constraints file (`-c`, `--constraint`) pins whatever the command line leaves open.
  if (args.some((a) => a === '-c' || a === '--constraint' || a.startsWith('--constraint='))) return [];
  // Upgrading pip's own tooling to latest is the documented bootstrap step, not an application dependency.
  return packageWords(command, 'pip', start)
    .filter(
      (w) =>
        (PIP_VCS.test(w) || !notARegistryPackage(w)) &&
        !['pip', 'setuptools', 'wheel'].includes(w.toLowerCase()),
    )
    .map((w) => ({
      name: w,
      pinned: PIP_VCS.test(w)
        ? /^[^:]+:\/\/.*@/.test(w.replace(/\/\/[^/@]*@/, '//'))
        : /(==|~=|===|>=|<=|<|>|!=|@)/.test(w),
    }));
}

export function npmPackages(command: ShellCommand): PackageArg[] {
  const args = argTexts(command);
  const sub = args.findIndex((a) => !a.startsWith('-'));
  if (command.program !== 'npm' || !['install', 'i', 'add'].includes(args[sub] ?? '')) return [];
  return packageWords(command, 'npm', sub + 1)
    .filter(
      (w) =>
        !w.includes('$') &&
        !/^(\.|\/|~\/)/.test(w) &&
        !/^(https?:|file:|github:)/.test(w) &&
        !/\.(tgz|tar|tar\.gz)$/.test(w),
    )
    .map((w) => ({
      name: w,
      // git URLs are pinned by `#commit` or `#semver:range`; registry names by `@version` after the scope.
      pinned: /^git(\+[a-z]+)?:\/\//.test(w) ? w.includes('#') : /.@./.test(w),
    }));
}

export function gemPackages(command: ShellCommand): PackageArg[] {
  const args = argTexts(command);
  if (command.program !== 'gem' || (args[0] !== 'install' && args[0] !== 'i')) return [];
  const explicitVersion = args.some((a) => a === '-v' || a === '--version' || a.startsWith('--version='));
  // `--some-build-option true`: a boolean right after an option is that option's value, not a gem.
  const optionValues = new Set(
    args.flatMap((a, i) => (a.startsWith('-') && /^(true|false)$/.test(args[i + 1] ?? '') ? [i + 1] : [])),
  );
  return packageWords({ ...command, args: command.args.filter((_, i) => !optionValues.has(i)) }, 'gem', 1)
    .filter((w) => !notARegistryPackage(w))
    .map((w) => ({ name: w, pinned: explicitVersion || w.includes(':') }));
}

/** yum/dnf/microdnf (`pkg-1.2.3`) and zypper (`pkg=1.2.3`, `pkg>=1.2`) install arguments. */
export function rpmFamilyPackages(command: ShellCommand, programs: readonly string[]): PackageArg[] {
  if (!programs.includes(command.program)) return [];
  const args = argTexts(command);
  const index = args.findIndex((a) => a === 'install' || a === 'in');
  if (index === -1) return [];
  const before = args.slice(0, index).filter((a) => !a.startsWith('-'));
  // `dnf group install "Development Tools"` names a group, which has no version; `dnf module install` names a
  // module stream, pinned by `name:stream`.
  if (before.includes('group') || before.includes('groupinstall')) return [];
  const module = before.includes('module');
  const zypper = command.program === 'zypper';
  return packageWords(command, 'rpm', index + 1)
    .filter((w) => !notARegistryPackage(w) && !w.startsWith('@'))
    .map((w) => ({ name: w, pinned: module ? w.includes(':') : zypper ? /[=<>]/.test(w) : /-\d/.test(w) }));
}
