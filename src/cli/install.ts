// The output of every `install` that prints files (server, agent): each file under `# NAME` on stdout (a
// Kubernetes manifest alone, so it pipes into `kubectl apply -f -`), or `--write DIR`: all files or none, then
// what to run next on stderr.
import { join, resolve } from 'node:path';
import { UsageError } from '../shared/errors.js';
import { bulkheadCommand, verifyBulkheadCommand } from '../shared/self-binary.js';
import { writeAll, type InstallResult } from '../shared/systemd-unit.js';
import { TOOL_VERSION } from '../shared/version.js';
import { EXIT_OK, type CliIO } from './io.js';

export const INSTALL_FORMATS = ['systemd', 'kubernetes'] as const;
export type InstallFormatFlag = (typeof INSTALL_FORMATS)[number];

export function installFormat(raw: unknown): InstallFormatFlag {
  const found = INSTALL_FORMATS.find((f) => f === raw);
  if (found === undefined)
    throw new UsageError(`--format ${String(raw)} is not an install format`, {
      hint: `use one of ${INSTALL_FORMATS.join(', ')}`,
    });
  return found;
}

/** The flags every `install` shares: --format, --bin (systemd: the command its units start), --write. */
export interface InstallFlags {
  readonly format: InstallFormatFlag;
  readonly systemd: boolean;
  /** systemd: the argv that starts bulkhead (src/shared/self-binary.ts); [] for kubernetes. */
  readonly command: readonly string[];
  readonly write: string | undefined;
  /** A string flag's value, undefined when absent. */
  readonly str: (key: string) => string | undefined;
}

export function readInstallFlags(opts: Readonly<Record<string, unknown>>, io: CliIO): InstallFlags {
  const format = installFormat(opts['format']);
  const str = (key: string): string | undefined => {
    const value = opts[key];
    return typeof value === 'string' ? value : undefined;
  };
  const systemd = format === 'systemd';
  return {
    format,
    systemd,
    command: systemd ? bulkheadCommand(str('bin'), io.cwd) : [],
    write: str('write'),
    str,
  };
}

export function emitInstall(result: InstallResult, flags: InstallFlags, io: CliIO): number {
  if (flags.write === undefined) {
    const [only] = result.files;
    if (result.files.length === 1 && only?.name.endsWith('.yaml') === true) io.stdout(only.text);
    else io.stdout(result.files.map((f) => `# ${f.path ?? f.name}\n${f.text}`).join('\n'));
    for (const line of result.next) io.stderr(`next: ${line}\n`);
    return EXIT_OK;
  }
  if (flags.systemd) {
    // a unit that starts another program, or nothing, fails at boot where nobody sees it
    verifyBulkheadCommand(flags.command, TOOL_VERSION);
    io.stderr(`checked: ${flags.command.join(' ')} --version is ${TOOL_VERSION}\n`);
  }
  const dir = resolve(io.cwd, flags.write);
  const files = result.files.map((f) => ({
    path: f.path ?? join(dir, f.name),
    text: f.text,
    ...(f.mode === undefined ? {} : { mode: f.mode }),
  }));
  writeAll(files, 'run as root, or point --write at a writable directory');
  for (const f of files) io.stderr(`wrote ${f.path}\n`);
  for (const line of result.next) io.stderr(`next: ${line}\n`);
  return EXIT_OK;
}
