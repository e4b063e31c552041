// The bulkhead that is running, as a command a service manager can start (for `authz install`, `watch install`,
// `server install`, `agent install`), and the check that a command really is bulkhead before a unit names it.
//
// The running binary is the real path (fs.realpath) of the package's bin/bulkhead.js: process.argv[1] when it is
// that script (npm's <prefix>/bin/bulkhead symlink resolves to it), else the bin/bulkhead.js of the package this
// module belongs to (src/shared/ and dist/shared/ both sit two levels below the package root), which is what runs
// when argv[1] is a wrapper, a test runner or src/cli/run.ts. It is started as `<node> <script>` with node's
// absolute path (process.execPath) rather than through the script's `#!/usr/bin/env node` shebang: systemd's PATH
// (/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin) finds no node, or another node, for nvm, volta, asdf and
// tarball installs, and a node of another ABI cannot load the native addons (better-sqlite3, watch.node); the
// node running now is the one known to run this package.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from './errors.js';
import { TOOL_VERSION } from './version.js';

/** The package root of this module: src/shared/ and dist/shared/ are both two levels down. */
const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function isBulkheadPackage(root: string): boolean {
  try {
    const parsed: unknown = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    return typeof parsed === 'object' && parsed !== null && 'name' in parsed && parsed.name === 'bulkhead';
  } catch {
    return false;
  }
}

/** argv[1] resolved, when it is a package's bin/bulkhead.js; undefined for anything else. */
function entryFromArgv(argv1: string | undefined): string | undefined {
  if (argv1 === undefined || argv1 === '') return undefined;
  let real: string;
  try {
    real = realpathSync(argv1);
  } catch {
    return undefined;
  }
  if (basename(real) !== 'bulkhead.js' || basename(dirname(real)) !== 'bin') return undefined;
  return isBulkheadPackage(dirname(dirname(real))) ? real : undefined;
}

export interface RunningBinaryInputs {
  readonly argv1?: string | undefined;
  readonly execPath?: string;
  readonly packageRoot?: string;
}

/** The argv that starts the running bulkhead: [absolute node, real path of bin/bulkhead.js]. */
export function runningBinary(inputs: RunningBinaryInputs = {}): readonly string[] {
  const execPath = inputs.execPath ?? process.execPath;
  const fromArgv = entryFromArgv('argv1' in inputs ? inputs.argv1 : process.argv[1]);
  if (fromArgv !== undefined) return [execPath, fromArgv];
  const script = join(inputs.packageRoot ?? PACKAGE_ROOT, 'bin', 'bulkhead.js');
  let real = script;
  try {
    real = realpathSync(script);
  } catch {
    // not there (a partial copy): name it as it should be; verifyBulkheadCommand says what is missing
  }
  return [execPath, real];
}

/** `--bin PATH` as an absolute one-word command, or the running binary when the flag is absent. */
export function bulkheadCommand(bin: string | undefined, cwd: string): readonly string[] {
  if (bin === undefined || bin === '') return runningBinary();
  return [isAbsolute(bin) ? bin : resolve(cwd, bin)];
}

function checkFile(path: string, what: string, mode: number): void {
  let isFile: boolean;
  try {
    isFile = statSync(path).isFile();
  } catch (error) {
    throw new UsageError(
      `${what} ${path} does not exist (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      {
        subject: path,
        hint: 'pass --bin with the path of the installed bulkhead (`command -v bulkhead`)',
      },
    );
  }
  if (!isFile) {
    throw new UsageError(`${what} ${path} is not a regular file`, {
      subject: path,
      hint: 'pass --bin with the path of the bulkhead executable itself',
    });
  }
  try {
    accessSync(path, mode);
  } catch {
    throw new UsageError(
      `${what} ${path} is not ${mode === constants.X_OK ? 'executable' : 'readable'} by this user`,
      {
        subject: path,
        hint:
          mode === constants.X_OK ? `chmod +x ${path}, or pass --bin` : `check the permissions of ${path}`,
      },
    );
  }
}

/**
 * Throws a UsageError unless `command` exists, is executable and is this bulkhead: `command --version` exits 0 and
 * prints this version (a unit that starts another program, or another bulkhead whose policy loader differs from
 * the one that validated the files, fails at boot where nobody sees it).
 */
export function verifyBulkheadCommand(command: readonly string[], expectedVersion = TOOL_VERSION): void {
  const [program, ...rest] = command;
  if (program === undefined) throw new UsageError('no bulkhead command to check');
  checkFile(program, command.length > 1 ? 'node' : 'bulkhead binary', constants.X_OK);
  for (const script of rest) checkFile(script, 'bulkhead script', constants.R_OK);
  const shown = command.join(' ');
  const result = spawnSync(program, [...rest, '--version'], {
    encoding: 'utf8',
    timeout: 30_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // node prints the failing source line first; the "Error: ..." line says what went wrong
  const lines = (result.stderr || '').split('\n').map((l) => l.trim());
  const firstError = lines.find((l) => /\bError\b/.test(l)) ?? lines.find((l) => l !== '') ?? '';
  if (result.error !== undefined || result.status !== 0) {
    throw new UsageError(
      `${shown} --version failed (${result.error?.message ?? `exit ${String(result.status ?? result.signal)}`})${firstError === '' ? '' : `: ${firstError}`}`,
      {
        subject: program,
        hint:
          command.length > 1
            ? 'build the package (npm run build) or install it (npm install -g), or pass --bin PATH'
            : 'pass --bin with the path of the installed bulkhead (`command -v bulkhead`)',
      },
    );
  }
  const printed = result.stdout.trim();
  if (printed !== expectedVersion) {
    throw new UsageError(
      /^\d+\.\d+\.\d+\S*$/.test(printed)
        ? `${shown} is bulkhead ${printed}, not ${expectedVersion} (the version checking these files)`
        : `${shown} does not look like bulkhead: --version printed ${JSON.stringify(printed.slice(0, 80))}`,
      {
        subject: program,
        hint: 'run the install command of the binary the unit will start, or pass --bin with this bulkhead',
      },
    );
  }
}
