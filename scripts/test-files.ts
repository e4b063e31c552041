// The one test layout (CONTRIBUTING.md "Tests"): every *.test.ts lives under test/<area>/, where <area> is the src/
// folder it tests (or a cross-cutting folder such as boundaries/). Prints the suite's test files, one a line, for
// scripts/test.sh (argument: the checkout, default this one); exits 1 naming any test file outside the layout (git's tracked and untracked, unignored files).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** A test file's repository path is in the layout when it sits in a folder below test/. */
export function inTestLayout(path: string): boolean {
  return /^test\/[^/]+\/(?:[^/]+\/)*[^/]+\.test\.ts$/.test(path);
}

/** Every *.test.ts git knows of below `root` (tracked, or untracked and not ignored), sorted. */
export function listTestFiles(root: string): string[] {
  const out = execFileSync(
    'git',
    ['ls-files', '--cached', '--others', '--exclude-standard', '-z', '--', '*.test.ts'],
    {
      cwd: root,
      encoding: 'utf8',
    },
  );
  return [...new Set(out.split('\0').filter((p) => p !== ''))].sort();
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const files = listTestFiles(process.argv[2] ?? join(import.meta.dirname, '..'));
  const strays = files.filter((f) => !inTestLayout(f));
  if (strays.length > 0) {
    for (const f of strays)
      process.stderr.write(
        `test file outside the layout: ${f} (move it to test/<area>/, see CONTRIBUTING.md "Tests")\n`,
      );
    process.exitCode = 1;
  } else {
    for (const f of files) process.stdout.write(`${f}\n`);
  }
}
