// The CLI as a new user meets it (issue 9 items 17, 20, 21): a Dockerfile ARG expansion bomb is capped with a clear
// message, piping into a reader that stops early (`| head`) ends quietly, usage errors are one line with a hint,
// --help shows examples and exit codes, and flag spellings agree across commands.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runBulkhead } from '../harness/cli.js';

const ROOT = join(import.meta.dirname, '..', '..');
const RUN = join(ROOT, 'src', 'cli', 'run.ts');
const INSECURE = join(ROOT, 'examples', 'lint', 'insecure.Dockerfile');

let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'bh-first-run-'));
});
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('item 17: ARG expansion bomb', () => {
  it('26 chained ARG lines are capped with a finding (BH-DF-074) naming the line and the cap, in bounded memory', async () => {
    const lines = ['ARG A0=0123456789abcdef0123456789'];
    for (let i = 1; i < 26; i += 1) lines.push(`ARG A${i}=$A${i - 1}$A${i - 1}`);
    const path = join(dir, 'bomb.Dockerfile');
    writeFileSync(path, `${lines.join('\n')}\nFROM alpine:$A25\nRUN echo $A25\n`);
    const r = await runBulkhead(['lint', '-f', 'json', path]);
    assert.notEqual(r.code, 2, r.stderr);
    const doc = JSON.parse(r.stdout) as {
      findings: { ruleId: string; message: string; target: { path: string; line: number; column: number } }[];
    };
    // BH-DF-074 reports the cap as a finding: A12 (30 * 2^12 characters) is the first ARG past 65536.
    const capped = doc.findings.filter((f) => f.ruleId === 'BH-DF-074');
    assert.equal(capped.length, 1, JSON.stringify(doc.findings));
    assert.match(capped[0]?.message ?? '', /^ARG A12 on line 13 expands to more than 65536 characters/);
    assert.deepEqual(capped[0]?.target, { kind: 'file', path, line: 13, column: 5 });
    assert.ok(r.stdout.length < 1024 * 1024, `report of ${r.stdout.length} bytes`);
  });
});

/** Runs the CLI as a process whose stdout reader closes after the first chunk, like `| head -c1`. */
function runIntoClosedPipe(args: readonly string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', RUN, ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdout.once('data', () => {
      child.stdout.destroy();
    });
    child.on('close', (code) => {
      resolve({ code, stderr });
    });
  });
}

describe('item 20: a reader that stops early (EPIPE)', () => {
  const big = (): string => {
    const path = join(dir, 'big.Dockerfile');
    // enough findings that the report is far larger than a pipe buffer
    writeFileSync(path, `FROM alpine\n${'RUN apt-get update\nRUN curl http://x | sh\n'.repeat(2000)}`);
    return path;
  };
  for (const [name, args] of [
    ['lint (table)', () => ['lint', big()]],
    ['lint --format json', () => ['lint', '-f', 'json', big()]],
    ['authz actions', () => ['authz', 'actions']],
    ['--help', () => ['--help']],
  ] as const) {
    it(`${name} ends quietly`, async () => {
      const r = await runIntoClosedPipe(args());
      assert.doesNotMatch(r.stderr, /EPIPE|Error:|at .*\.js:\d+/, r.stderr);
      assert.equal(r.code, 0, r.stderr);
    });
  }
});

describe('item 21: usage errors, help and flags', () => {
  it('an unknown option is one line with the bulkhead: prefix and a hint, not the whole help', async () => {
    const r = await runBulkhead(['lint', '--bogus', INSECURE]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^bulkhead: unknown option '--bogus'\n {2}fix: see `bulkhead lint --help`\n$/);
    assert.equal(r.stdout, '');
  });

  it('an unknown command is an error (exit 2) with a suggestion', async () => {
    const r = await runBulkhead(['scna', 'x.tar']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^bulkhead: unknown command 'scna'.*\n {2}fix: .*bulkhead --help/);
    assert.doesNotMatch(r.stderr, /Usage:/);
  });

  it('a missing argument and a bad choice are one line each', async () => {
    const missing = await runBulkhead(['scan']);
    assert.equal(missing.code, 2);
    assert.match(
      missing.stderr,
      /^bulkhead: missing required argument 'target'\n {2}fix: see `bulkhead scan --help`\n$/,
    );
    const choice = await runBulkhead(['lint', '-f', 'yaml', INSECURE]);
    assert.equal(choice.code, 2);
    assert.equal(choice.stderr.split('\n').filter(Boolean).length, 2, choice.stderr);
  });

  it('--help shows examples and exit codes, for the program and each command', async () => {
    const top = await runBulkhead(['--help']);
    assert.equal(top.code, 0);
    assert.match(top.stdout, /Examples:\n {2}\$ bulkhead audit/);
    assert.match(top.stdout, /Exit codes:\n {2}0 {2}.*\n {2}1 {2}.*--fail-on.*\n {2}2 {2}/);
    for (const command of ['audit', 'scan', 'lint', 'db', 'info', 'authz']) {
      const r = await runBulkhead([command, '--help']);
      assert.equal(r.code, 0, command);
      assert.match(r.stdout, /Examples:\n {2}\$ bulkhead /, command);
      assert.match(r.stdout, /Exit codes:/, command);
    }
  });

  it('authz serve takes --host like the other commands, and --docker-host still works', async () => {
    for (const flag of ['--host', '-H', '--docker-host']) {
      const r = await runBulkhead(['authz', 'serve', '--policy', 'x.yaml', flag, 'tcp://1.2.3.4:2375']);
      assert.equal(r.code, 2, flag);
      assert.match(
        r.stderr,
        /--host\/--docker-host must be unix:\/\/\/path\/to\/docker\.sock or none, got tcp:/,
        flag,
      );
    }
  });

  it('--json is -f json on every reporting command; -f json works on info', async () => {
    const lint = await runBulkhead(['lint', '--json', INSECURE]);
    assert.equal((JSON.parse(lint.stdout) as { command: string }).command, 'lint');
    const info = await runBulkhead([
      'info',
      '-f',
      'json',
      '--root',
      dir,
      '--host',
      'unix:///nonexistent.sock',
    ]);
    assert.ok((JSON.parse(info.stdout) as { schemaVersion: number }).schemaVersion >= 1, info.stderr);
  });
});

describe('item 23: .hadolint.yaml claims match behaviour', () => {
  it('a .hadolint.yaml in the current directory applies without a flag, as with hadolint', async () => {
    const project = mkdtempSync(join(dir, 'hadolint-'));
    writeFileSync(join(project, 'Dockerfile'), 'FROM alpine:latest\nUSER 1000\n');
    const before = await runBulkhead(['lint', '-f', 'json', 'Dockerfile'], { cwd: project });
    const aliases = (text: string): string[] =>
      (JSON.parse(text) as { findings: { aliases: string[] }[] }).findings.flatMap((f) => f.aliases);
    assert.ok(aliases(before.stdout).includes('DL3007'), before.stdout);
    writeFileSync(join(project, '.hadolint.yaml'), 'ignored:\n  - DL3007\n');
    const after = await runBulkhead(['lint', '-f', 'json', 'Dockerfile'], { cwd: project });
    assert.ok(!aliases(after.stdout).includes('DL3007'), after.stdout);
  });
});
