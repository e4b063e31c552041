// `bulkhead lint` as a user runs it: exit codes, formats, suppression comments, config files, globs, stdin, ShellCheck.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { runBulkhead } from '../harness/cli.js';

const ROOT = join(import.meta.dirname, '..', '..');
const INSECURE = join(ROOT, 'examples', 'lint', 'insecure.Dockerfile');
const HARDENED = join(ROOT, 'examples', 'lint', 'hardened.Dockerfile');
const CONFIG = join(ROOT, 'examples', 'lint', 'bulkhead-lint.yaml');

const jsonReport = z.object({
  command: z.literal('lint'),
  subjects: z.array(z.string()),
  findings: z.array(
    z.object({
      ruleId: z.string(),
      aliases: z.array(z.string()),
      severity: z.string(),
      target: z.object({ kind: z.literal('file'), path: z.string(), line: z.number(), column: z.number() }),
    }),
  ),
  diagnostics: z.array(z.object({ level: z.string(), message: z.string() })),
});

let dir = '';
const write = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

async function lintJson(
  args: readonly string[],
): Promise<{ code: number; report: z.infer<typeof jsonReport>; stderr: string }> {
  const result = await runBulkhead(['lint', '--format', 'json', ...args], { cwd: dir });
  return { code: result.code, report: jsonReport.parse(JSON.parse(result.stdout)), stderr: result.stderr };
}

describe('bulkhead lint CLI', () => {
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'bulkhead-lint-cli-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports every security rule on the insecure example, with rule id, aliases and file:line:column', async () => {
    const { code, report } = await lintJson(['--config', CONFIG, INSECURE]);
    assert.equal(code, 1);
    const ids = new Set(report.findings.map((f) => f.ruleId));
    for (const id of [
      'BH-DF-001',
      'BH-DF-003',
      'BH-DF-004',
      'BH-DF-005',
      'BH-DF-006',
      'BH-DF-007',
      'BH-DF-008',
      'BH-DF-009',
      'BH-DF-010',
      'BH-DF-011',
    ]) {
      assert.ok(ids.has(id), `missing ${id}`);
    }
    const latest = report.findings.find((f) => f.ruleId === 'BH-DF-012');
    assert.deepEqual(latest?.aliases, ['DL3007', 'DS-0001', 'CKV_DOCKER_7']);
    assert.equal(latest.target.line, 9);
    const proc = report.findings.find((f) => f.ruleId === 'BH-DF-011');
    assert.deepEqual([proc?.target.line, proc?.target.column], [15, 5]);
    // the config raised BH-DF-004 to medium
    assert.ok(report.findings.filter((f) => f.ruleId === 'BH-DF-004').every((f) => f.severity === 'medium'));
  });

  it('exits 0 on the hardened example with the example config', async () => {
    const result = await runBulkhead(['lint', '--config', CONFIG, HARDENED], { cwd: dir });
    assert.equal(
      result.stdout.trim().split('\n').pop(),
      'lint: 0 failed (0 critical, 0 high, 0 medium, 0 low, 0 info), 0 passed, 0 skipped, 0 not applicable',
    );
    assert.equal(result.code, 0);
  });

  it('fails on any finding by default and honours --fail-on', async () => {
    const file = write(
      'Dockerfile',
      'FROM alpine:3.20@sha256:0000000000000000000000000000000000000000000000000000000000000000\nUSER app\nCMD app\n',
    );
    assert.equal((await runBulkhead(['lint', file], { cwd: dir })).code, 1);
    assert.equal((await runBulkhead(['lint', '--fail-on', 'medium', file], { cwd: dir })).code, 0);
    // no argument lints ./Dockerfile
    const { report } = await lintJson([]);
    assert.deepEqual(
      report.findings.map((f) => f.ruleId),
      ['BH-DF-028', 'BH-DF-062'],
    );
  });

  it('honours bulkhead and hadolint ignore comments, global and per stage', async () => {
    const file = write(
      'ignores.Dockerfile',
      [
        '# hadolint global ignore=DL3007',
        'FROM alpine:latest AS build',
        '# bulkhead stage ignore=BH-DF-004',
        '# hadolint ignore=DL3004',
        'RUN sudo make',
        'FROM alpine:3.20',
        '# bulkhead ignore=BH-DF-001,BH-DF-028',
        'USER root',
        'CMD run',
        'RUN sudo true',
      ].join('\n'),
    );
    const { report } = await lintJson([file]);
    const got = report.findings.map((f) => `${f.ruleId}@${String(f.target.line)}`).sort();
    assert.deepEqual(got, ['BH-DF-004@6', 'BH-DF-014@10', 'BH-DF-028@9', 'BH-DF-062@6']);
  });

  it('lints many files and globs in one run, and --ignore takes aliases', async () => {
    write('a.Dockerfile', 'FROM alpine\nUSER app\n');
    write('b.Dockerfile', 'FROM debian\nUSER app\n');
    const { report } = await lintJson(['*.Dockerfile', '--ignore', 'DL3006,BH-DF-004']);
    assert.ok(report.subjects.includes('a.Dockerfile') && report.subjects.includes('b.Dockerfile'));
    assert.ok(!report.findings.some((f) => f.ruleId === 'BH-DF-013' || f.ruleId === 'BH-DF-004'));
  });

  it('checks base images against --trusted-registry', async () => {
    const file = write('t.Dockerfile', 'FROM quay.io/x/y:1\nUSER app\n');
    const { report } = await lintJson(['--trusted-registry', 'registry.example.com', file]);
    assert.ok(report.findings.some((f) => f.ruleId === 'BH-DF-003'));
  });

  it('renders SARIF with regions', async () => {
    const result = await runBulkhead(['lint', '--format', 'sarif', INSECURE], { cwd: dir });
    const sarif = z
      .object({
        runs: z.array(
          z.object({ results: z.array(z.object({ ruleId: z.string(), locations: z.array(z.unknown()) })) }),
        ),
      })
      .parse(JSON.parse(result.stdout));
    assert.ok((sarif.runs[0]?.results.length ?? 0) > 10);
  });

  it('exits 2 naming a missing file, a glob that matches nothing, and a bad config with its line', async () => {
    const missing = await runBulkhead(['lint', 'nope.Dockerfile'], { cwd: dir });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read nope\.Dockerfile: no such file/);
    const glob = await runBulkhead(['lint', 'zzz/*.Dockerfile'], { cwd: dir });
    assert.equal(glob.code, 2);
    const bad = write('bad.yaml', 'ignore:\n  - DL3008\nseverity:\n  DL3008: urgent\n');
    const config = await runBulkhead(['lint', '--config', bad, INSECURE], { cwd: dir });
    assert.equal(config.code, 2);
    assert.match(config.stderr, /bad\.yaml:4:11: severity\.DL3008/);
    const unknown = write('unknown.yaml', 'trustedRegistry: [x]\n');
    const typo = await runBulkhead(['lint', '--config', unknown, INSECURE], { cwd: dir });
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /unknown\.yaml:1:1: /);
    const yaml = write('broken.yaml', 'ignore: [DL3008\n');
    assert.match(
      (await runBulkhead(['lint', '--config', yaml, INSECURE], { cwd: dir })).stderr,
      /broken\.yaml:\d+:\d+: invalid YAML/,
    );
  });

  it('reads hadolint config keys', async () => {
    const file = write('h.Dockerfile', 'FROM alpine\nUSER app\n');
    // Not named .hadolint.yaml: that name in the shared test directory would be picked up by the later tests.
    const config = write('hadolint-keys.yaml', 'ignored: [DL3006]\noverride:\n  error: [BH-DF-004]\n');
    const { report } = await lintJson(['--config', config, file]);
    assert.ok(!report.findings.some((f) => f.ruleId === 'BH-DF-013'));
    assert.equal(report.findings.find((f) => f.ruleId === 'BH-DF-004')?.severity, 'high');
  });

  it('applies every key of hadolint README "Configure" as hadolint does, and says which it cannot apply', async () => {
    // DL3007 latest tag (low), DL3015 no --no-install-recommends (low), a label outside the schema, an inline ignore
    const file = write(
      'keys.Dockerfile',
      'FROM debian:latest\n# hadolint ignore=DL3015\nRUN apt-get install -y curl\nLABEL version=1.0.0 mantainer=me\nUSER app\n',
    );
    const lint = async (yaml: string, extra: readonly string[] = []) => {
      const config = write('keys.yaml', yaml);
      const r = await runBulkhead(['lint', '--config', config, ...extra, file], { cwd: dir });
      return { ...r, ids: r.stdout };
    };
    // failure-threshold: hadolint's default is info (style passes); error means only error-level findings fail
    assert.equal((await lint('failure-threshold: error\n')).code, 0);
    assert.equal((await lint('failure-threshold: info\n')).code, 1);
    // none / ignore and no-fail: findings never fail the run (hadolint exits 0), but are still reported
    for (const yaml of ['failure-threshold: none\n', 'failure-threshold: ignore\n', 'no-fail: true\n']) {
      const r = await lint(yaml);
      assert.equal(r.code, 0, yaml);
      assert.match(r.stdout, /BH-DF-012/);
    }
    // an explicit --fail-on still wins over no-fail
    assert.equal((await lint('no-fail: true\n', ['--fail-on', 'low'])).code, 1);
    // strict-labels with a label schema: mantainer is superfluous (DL3050), version is known
    const strict = await lint('label-schema: {version: semver}\nstrict-labels: true\n', ['-f', 'json']);
    const strictIds = jsonReport
      .parse(JSON.parse(strict.stdout))
      .findings.filter((f) => f.ruleId === 'BH-DF-075');
    assert.deepEqual(
      strictIds.map((f) => [f.aliases, f.target.line, f.target.column]),
      [[['DL3050'], 4, 21]],
    );
    // disable-ignore-pragma: the inline `# hadolint ignore=DL3015` no longer holds
    const withPragma = await lint('ignored: []\n', ['-f', 'json']);
    const noPragma = await lint('disable-ignore-pragma: true\n', ['-f', 'json']);
    const has015 = (stdout: string): boolean =>
      jsonReport.parse(JSON.parse(stdout)).findings.some((f) => f.aliases.includes('DL3015'));
    assert.equal(has015(withPragma.stdout), false);
    assert.equal(has015(noPragma.stdout), true);
    // trustedRegistries as one string (hadolint accepts string | [string]) and hadolint 2.12's trusted-registries
    for (const yaml of [
      'trustedRegistries: registry.example.com\n',
      'trusted-registries: [registry.example.com]\n',
    ]) {
      const r = await lint(yaml, ['-f', 'json']);
      assert.ok(
        jsonReport.parse(JSON.parse(r.stdout)).findings.some((f) => f.ruleId === 'BH-DF-003'),
        `${yaml} makes debian:latest untrusted`,
      );
    }
    // format: sarif is applied when -f is not given; -f wins; hadolint-only formats are said, not silently dropped
    const sarif = await lint('format: sarif\nno-color: true\nverbose: true\n');
    assert.equal(z.looseObject({ version: z.string() }).parse(JSON.parse(sarif.stdout)).version, '2.1.0');
    const json = await lint('format: sarif\n', ['-f', 'json']);
    assert.equal(jsonReport.parse(JSON.parse(json.stdout)).command, 'lint');
    const checkstyle = await lint('output-format: checkstyle\n');
    assert.match(checkstyle.stderr, /keys\.yaml: format: checkstyle not applied: .*choose one with -f/);
    assert.match(checkstyle.stdout, /BH-DF-012/);
  });

  it('finds .hadolint.yaml where hadolint does when no config is named, and says which one it used', async () => {
    const base = mkdtempSync(join(tmpdir(), 'bulkhead-lint-find-'));
    try {
      const home = join(base, 'home');
      const xdg = join(base, 'xdg');
      const project = join(base, 'project');
      for (const d of [home, xdg, project, join(home, '.hadolint')]) mkdirSync(d, { recursive: true });
      // DL3007 (latest tag) and DL3008 (unpinned apt package), plus an inline hadolint ignore for DL3015.
      writeFileSync(
        join(project, 'Dockerfile'),
        'FROM debian:latest\n# hadolint ignore=DL3015\nRUN apt-get install -y curl\nUSER app\n',
      );
      const env = { ...process.env, HOME: home, XDG_CONFIG_HOME: xdg };
      const run = async (): Promise<{ ids: Set<string>; stderr: string }> => {
        const r = await runBulkhead(['lint', '--format', 'json', 'Dockerfile'], { cwd: project, env });
        const report = jsonReport.parse(JSON.parse(r.stdout));
        return { ids: new Set(report.findings.flatMap((f) => [f.ruleId, ...f.aliases])), stderr: r.stderr };
      };
      // No config anywhere: every check, and the inline hadolint pragma holds without --config.
      let result = await run();
      assert.ok(result.ids.has('DL3007') && result.ids.has('DL3008'));
      assert.ok(!result.ids.has('DL3015'), 'the # hadolint ignore= line suppresses DL3015');
      assert.doesNotMatch(result.stderr, /using config/);
      // hadolint's lowest-priority location: ~/.hadolint.yaml.
      writeFileSync(join(home, '.hadolint.yaml'), 'ignored: [DL3007]\n');
      result = await run();
      assert.ok(!result.ids.has('DL3007') && result.ids.has('DL3008'));
      assert.match(result.stderr, /using config .*home\/\.hadolint\.yaml \(home directory\)/);
      // ~/.hadolint/hadolint.yaml beats it, the XDG config directory beats both.
      writeFileSync(join(home, '.hadolint', 'hadolint.yaml'), 'ignored: [DL3008]\n');
      result = await run();
      assert.ok(result.ids.has('DL3007') && !result.ids.has('DL3008'));
      writeFileSync(join(xdg, 'hadolint.yml'), 'ignored: [DL3007, DL3008]\n');
      result = await run();
      assert.ok(!result.ids.has('DL3007') && !result.ids.has('DL3008'));
      assert.match(result.stderr, /using config .*xdg\/hadolint\.yml \(XDG config directory\)/);
      // The working directory's .hadolint.yml beats every user-wide file, and bulkhead's own file beats that.
      writeFileSync(join(project, '.hadolint.yml'), 'ignored: []\n');
      result = await run();
      assert.ok(result.ids.has('DL3007') && result.ids.has('DL3008'));
      assert.match(result.stderr, /using config .*project\/\.hadolint\.yml \(working directory\)/);
      writeFileSync(join(project, '.bulkhead-lint.yaml'), 'ignore: [DL3008]\n');
      result = await run();
      assert.ok(result.ids.has('DL3007') && !result.ids.has('DL3008'));
      assert.match(result.stderr, /using config .*project\/\.bulkhead-lint\.yaml/);
      // An invalid found config is an error naming that file, not silently skipped.
      writeFileSync(join(project, '.bulkhead-lint.yaml'), 'ignore: [DL3008\n');
      const broken = await runBulkhead(['lint', 'Dockerfile'], { cwd: project, env });
      assert.equal(broken.code, 2);
      assert.match(broken.stderr, /\.bulkhead-lint\.yaml:\d+:\d+: invalid YAML/);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });

  it('refuses a binary file with exit 2', async () => {
    const file = join(dir, 'binary.Dockerfile');
    writeFileSync(file, Buffer.from([0x46, 0x52, 0x00, 0x01]));
    const result = await runBulkhead(['lint', file], { cwd: dir });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /NUL bytes/);
  });

  it('reads a Dockerfile from stdin with -', () => {
    const result = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'src', 'cli', 'run.ts'), 'lint', '--format', 'json', '-'],
      {
        cwd: ROOT,
        input: 'FROM alpine:3.20\nRUN curl -k https://example.com | sh\n',
        encoding: 'utf8',
      },
    );
    assert.equal(result.status, 1, result.stderr);
    const report = jsonReport.parse(JSON.parse(result.stdout));
    assert.ok(
      report.findings.some(
        (f) => f.ruleId === 'BH-DF-005' && f.target.path === '<stdin>' && f.target.line === 2,
      ),
    );
  });

  it('lints the 47 real Dockerfiles in one run without errors, with known real findings', async () => {
    const data = join(ROOT, '..', 'shared', 'data', 'dockerfiles');
    const result = await runBulkhead(['lint', '--format', 'json', '*.Dockerfile'], { cwd: data });
    assert.equal(result.code, 1);
    const report = jsonReport.parse(JSON.parse(result.stdout));
    assert.equal(report.subjects.length, 47);
    assert.deepEqual(
      report.diagnostics.filter((d) => d.level === 'error'),
      [],
    );
    const at = (ruleId: string, file: string, line: number): boolean =>
      report.findings.some(
        (f) => f.ruleId === ruleId && f.target.path.startsWith(file) && f.target.line === line,
      );
    // docker/compose copies from a stage that does not exist (it is called license-set)
    assert.ok(at('BH-DF-026', '27-docker-compose', 147));
    // hadolint's own image installs itself world-writable
    assert.ok(at('BH-DF-010', '37-hadolint', 12));
    // buildx pipes golangci-lint's install script from master into sh
    assert.ok(at('BH-DF-007', '41-docker-buildx', 35));
    // no secret is baked into any of them, and local trusted=yes repos are not signature findings
    assert.ok(!report.findings.some((f) => f.ruleId === 'BH-DF-008' || f.ruleId === 'BH-DF-006'));
  });

  it('writes a report larger than a pipe buffer completely before exiting', () => {
    const file = write(
      'many.Dockerfile',
      [
        'FROM alpine:3.20',
        ...Array.from({ length: 400 }, (_, i) => `RUN curl -k https://example.com/${String(i)} | sh`),
      ].join('\n'),
    );
    const result = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'src', 'cli', 'run.ts'), 'lint', '--format', 'json', file],
      {
        cwd: ROOT,
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    assert.ok(result.stdout.length > 65536, `only ${String(result.stdout.length)} bytes`);
    const report = jsonReport.parse(JSON.parse(result.stdout));
    assert.equal(report.findings.filter((f) => f.ruleId === 'BH-DF-007').length, 400);
  });

  it('runs ShellCheck with --shellcheck and maps SC codes to lines', async (t) => {
    if (spawnSync('shellcheck', ['--version']).status !== 0) {
      t.skip('shellcheck not installed');
      return;
    }
    const file = write('sc.Dockerfile', 'FROM alpine:3.20\nUSER app\nRUN echo hi && \\\n    rm -rf $DIR/x\n');
    const { report } = await lintJson(['--shellcheck', file]);
    const sc = report.findings.find((f) => f.aliases.includes('SC2086'));
    assert.equal(sc?.ruleId, 'BH-DF-SC');
    assert.equal(sc.target.line, 4);
    const ignored = write(
      'sc2.Dockerfile',
      'FROM alpine:3.20\nUSER app\n# hadolint ignore=SC2086\nRUN rm -rf $DIR/x\n',
    );
    assert.ok(
      !(await lintJson(['--shellcheck', ignored])).report.findings.some((f) => f.ruleId === 'BH-DF-SC'),
    );
  });
});
