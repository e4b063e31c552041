// scripts/install-deps.sh never stops a running system Docker (issue 9 item 24): the packaged services are kept from
// starting by a policy-rc.d that exists only for the length of the apt-get install; and it runs `npm ci` only when
// package-lock.json's content (not its mtime) differs from what node_modules was installed from. Run against a copy
// of the script with stub apt-get/systemctl/npm/node on PATH, so nothing is installed and no service is touched.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  accessSync,
  chmodSync,
  constants,
  copyFileSync,
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

const SCRIPT = join(import.meta.dirname, '..', '..', 'scripts', 'install-deps.sh');
const NEED = [...readFileSync(SCRIPT, 'utf8').matchAll(/^\s*\[([^\]]+)\]=(\S+)/gm)].map((m) => ({
  cmd: m[1] ?? '',
  pkg: m[2] ?? '',
}));
/** Every command of the NEED table gets a stub except zstd: that one is "missing", so the script installs it. */
const PRESENT = NEED.filter((n) => n.cmd !== 'zstd' && !n.cmd.startsWith('/')).map((n) => n.cmd);
/** Absolute paths in the table are checked on this machine's own filesystem: absent ones are installed too. */
const EXPECTED_INSTALL = [
  ...new Set([
    'zstd',
    ...NEED.filter((n) => n.cmd.startsWith('/') && !isExecutable(n.cmd)).map((n) => n.pkg),
  ]),
].sort();

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
const TOOLS = [
  'bash',
  'sh',
  'chmod',
  'grep',
  'rm',
  'sort',
  'cat',
  'dirname',
  'printf',
  'sha256sum',
  'cut',
  'mv',
];

describe('install-deps.sh and the system Docker', () => {
  let dir: string;
  let log: string;
  let policy: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'bh-install-deps-'));
    const repo = join(dir, 'repo');
    const bin = join(dir, 'bin');
    log = join(dir, 'calls.log');
    policy = join(dir, 'policy-rc.d');
    mkdirSync(join(repo, 'scripts'), { recursive: true });
    mkdirSync(join(repo, 'node_modules'), { recursive: true });
    mkdirSync(join(repo, 'src', 'native', 'build', 'Release'), { recursive: true });
    mkdirSync(bin);
    copyFileSync(SCRIPT, join(repo, 'scripts', 'install-deps.sh'));
    writeFileSync(join(repo, 'package-lock.json'), '{}');
    utimesSync(join(repo, 'package-lock.json'), 1000, 1000);
    writeFileSync(join(repo, 'node_modules', '.package-lock.json'), '{}');
    writeFileSync(join(repo, 'src', 'native', 'build', 'Release', 'bulkhead_watch.node'), '');
    const stub = (name: string, body: string): void => {
      writeFileSync(join(bin, name), `#!/bin/bash\n${body}\n`);
      chmodSync(join(bin, name), 0o755);
    };
    for (const name of PRESENT) stub(name, 'exit 0');
    for (const tool of TOOLS)
      symlinkSync(
        execFileSync('bash', ['-c', `command -v ${tool}`])
          .toString()
          .trim(),
        join(bin, tool),
      );
    stub('id', 'echo 0');
    stub('node', 'echo 115');
    // apt-get records whether a service start would be allowed right now (what invoke-rc.d asks policy-rc.d)
    stub(
      'apt-get',
      `if [ -x "${policy}" ]; then "${policy}" docker start; echo "apt-get $* policy=$?" >> "${log}"; else echo "apt-get $* policy=none" >> "${log}"; fi`,
    );
    stub('systemctl', `echo "systemctl $*" >> "${log}"`);
    execFileSync(join(bin, 'bash'), [join(repo, 'scripts', 'install-deps.sh')], {
      env: { PATH: bin, BULKHEAD_POLICY_RC_D: policy },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('forbids service starts during the install and stops nothing', () => {
    const calls = readFileSync(log, 'utf8').trim().split('\n');
    assert.deepEqual(calls, [
      'apt-get update -qq policy=101',
      `apt-get install -y -qq --no-install-recommends ${EXPECTED_INSTALL.join(' ')} policy=101`,
    ]);
    assert.ok(!calls.some((c) => c.startsWith('systemctl')), 'no systemctl stop of a running docker');
  });

  it('removes its policy-rc.d after the install', () => {
    assert.equal(existsSync(policy), false);
  });
});

describe('install-deps.sh and node_modules', () => {
  const LOCK = '{"lockfileVersion":3}\n';
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'bh-install-npm-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /** A copy of the repo's script with every Debian command present; returns the npm calls of one run. */
  function run(name: string, setup: (repo: string) => void): { npm: string[]; repo: string } {
    const repo = join(dir, name);
    const bin = join(dir, `${name}-bin`);
    const log = join(dir, `${name}.log`);
    mkdirSync(join(repo, 'scripts'), { recursive: true });
    mkdirSync(join(repo, 'src', 'native', 'build', 'Release'), { recursive: true });
    mkdirSync(bin);
    copyFileSync(SCRIPT, join(repo, 'scripts', 'install-deps.sh'));
    writeFileSync(join(repo, 'src', 'native', 'build', 'Release', 'bulkhead_watch.node'), '');
    writeFileSync(join(repo, 'package-lock.json'), LOCK);
    setup(repo);
    const stub = (file: string, body: string): void => {
      writeFileSync(join(bin, file), `#!/bin/bash\n${body}\n`);
      chmodSync(join(bin, file), 0o755);
    };
    for (const cmd of NEED.filter((n) => !n.cmd.startsWith('/')).map((n) => n.cmd)) stub(cmd, 'exit 0');
    for (const tool of [...TOOLS, 'mkdir'])
      symlinkSync(
        execFileSync('bash', ['-c', `command -v ${tool}`])
          .toString()
          .trim(),
        join(bin, tool),
      );
    stub('id', 'echo 1000');
    stub('apt-get', 'exit 0');
    stub('node', 'echo 115');
    // npm ci recreates node_modules, as the real one does
    stub(
      'npm',
      `echo "npm $*" >> "${log}"; rm -rf node_modules; mkdir node_modules; echo '{}' > node_modules/.package-lock.json`,
    );
    execFileSync(join(bin, 'bash'), [join(repo, 'scripts', 'install-deps.sh')], {
      env: { PATH: bin },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const npm = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [];
    return { npm, repo };
  }
  const stampOf = (repo: string): string =>
    readFileSync(join(repo, 'node_modules', '.bulkhead-install'), 'utf8');

  it('installs into a fresh clone and records what it installed from', () => {
    const { npm, repo } = run('fresh', () => undefined);
    assert.deepEqual(npm, ['npm ci --no-audit --no-fund']);
    assert.match(stampOf(repo), /^[0-9a-f]{64} node-abi-115\n$/);
  });

  it('does not reinstall when only the mtimes say the lock is newer', () => {
    const first = run('same', () => undefined);
    const stamp = stampOf(first.repo);
    const { npm } = run('same-again', (repo) => {
      mkdirSync(join(repo, 'node_modules'));
      writeFileSync(join(repo, 'node_modules', '.package-lock.json'), '{}');
      writeFileSync(join(repo, 'node_modules', '.bulkhead-install'), stamp);
      utimesSync(join(repo, 'node_modules', '.package-lock.json'), 1000, 1000);
      utimesSync(join(repo, 'node_modules'), 1000, 1000);
    });
    assert.deepEqual(npm, []);
  });

  it('reinstalls when the lock content changed, and replaces a hard-linked stamp instead of writing through it', () => {
    const { npm, repo } = run('changed', (r) => {
      mkdirSync(join(r, 'node_modules'));
      writeFileSync(join(r, 'node_modules', '.bulkhead-install'), `${'0'.repeat(64)} node-abi-115\n`);
    });
    assert.deepEqual(npm, ['npm ci --no-audit --no-fund']);
    assert.notEqual(stampOf(repo), `${'0'.repeat(64)} node-abi-115\n`);
    const shared = join(dir, 'shared-stamp');
    const { npm: again } = run('linked', (r) => {
      mkdirSync(join(r, 'node_modules'));
      writeFileSync(join(r, 'node_modules', '.package-lock.json'), '{}');
      writeFileSync(shared, 'from another worktree\n');
      linkSync(shared, join(r, 'node_modules', '.bulkhead-install'));
    });
    assert.deepEqual(again, ['npm ci --no-audit --no-fund']);
    assert.equal(readFileSync(shared, 'utf8'), 'from another worktree\n');
  });

  it('adopts an up-to-date node_modules from before the stamp without reinstalling', () => {
    const { npm, repo } = run('adopt', (r) => {
      utimesSync(join(r, 'package-lock.json'), 1000, 1000);
      mkdirSync(join(r, 'node_modules'));
      writeFileSync(join(r, 'node_modules', '.package-lock.json'), '{}');
    });
    assert.deepEqual(npm, []);
    assert.match(stampOf(repo), /^[0-9a-f]{64} node-abi-115\n$/);
  });
});
