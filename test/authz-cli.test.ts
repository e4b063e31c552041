// `bulkhead authz` as a user runs it: `test` on the shipped example, policy errors with line numbers, `install`,
// `actions`, and `serve` as a real process (socket, decision log, hot reload, SIGHUP, SIGTERM, deadline).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import type { Resolver } from '../src/authz/resolver.js';
import { AuthzEngine } from '../src/authz/server.js';
import { runBulkhead } from './harness/cli.js';

const ROOT = resolve(import.meta.dirname, '..');
const POLICY = join(ROOT, 'examples/authz/policy.yaml');
const CASES = join(ROOT, 'examples/authz/cases.yaml');

const dir = mkdtempSync(join(tmpdir(), 'bh-authz-cli-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('bulkhead authz test', () => {
  it('passes the shipped example cases against the shipped example policy (exit 0)', async () => {
    const r = await runBulkhead(['authz', 'test', POLICY, CASES]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^13 passed, 0 failed$/m);
    assert.match(r.stdout, /PASS {2}bob may not mount \/etc: deny by constraints:container-runner\/run/);
  });

  it('reports a failing case with its line and exits 1', async () => {
    const cases = join(dir, 'bad-cases.yaml');
    writeFileSync(
      cases,
      'cases:\n  - name: alice lists containers\n    user: alice\n    uri: /v1.41/containers/json\n    expect: allow\n',
    );
    const r = await runBulkhead(['authz', 'test', POLICY, cases]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /FAIL {2}alice lists containers: deny by default-deny \(.*bad-cases.yaml:2\)/);
    assert.match(r.stdout, /expected allow, got deny/);
  });

  it('prints JSON with --format json', async () => {
    const r = await runBulkhead(['authz', 'test', POLICY, CASES, '--format', 'json']);
    const parsed = JSON.parse(r.stdout) as { name: string; passed: boolean }[];
    assert.equal(parsed.length, 13);
    assert.ok(parsed.every((c) => c.passed));
  });

  it('rejects an invalid policy with every error and its line:column (exit 2)', async () => {
    const bad = join(dir, 'bad-policy.yaml');
    writeFileSync(
      bad,
      [
        'version: 1',
        'users:',
        '  alice:',
        '    roles: [nope]',
        'roles:',
        '  r:',
        '    - allow: [container_lgs]',
        'constraints:',
        '  c:',
        '    privilegd: false',
        '',
      ].join('\n'),
    );
    const r = await runBulkhead(['authz', 'test', bad, CASES]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /bad-policy.yaml:10:5: constraints.c: Unrecognized key: "privilegd"/);
    writeFileSync(
      bad,
      'version: 1\nusers:\n  alice:\n    roles: [nope]\nroles:\n  r:\n    - allow: [container_lgs]\n',
    );
    const r2 = await runBulkhead(['authz', 'test', bad, CASES]);
    assert.equal(r2.code, 2);
    assert.match(r2.stderr, /bad-policy.yaml:4:13: unknown role "nope"/);
    assert.match(r2.stderr, /bad-policy.yaml:7:15: unknown action "container_lgs"/);
  });

  it('names a missing policy file and the fix', async () => {
    const r = await runBulkhead(['authz', 'test', join(dir, 'missing.yaml'), CASES]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /cannot read policy .*missing.yaml \(ENOENT\)\n {2}fix: /);
  });
});

describe('bulkhead authz install / actions', () => {
  it('prints the spec file, the systemd unit and the daemon.json setting', async () => {
    const r = await runBulkhead(['authz', 'install', '--name', 'bh', '--policy', '/etc/bulkhead/p.yaml']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /# \/etc\/docker\/plugins\/bh.spec\nunix:\/\/\/run\/docker\/plugins\/bh.sock\n/);
    assert.match(
      r.stdout,
      /ExecStart=\/usr\/local\/bin\/bulkhead authz serve --policy \/etc\/bulkhead\/p.yaml/,
    );
    assert.match(r.stdout, /ExecReload=\/bin\/kill -HUP \$MAINPID/);
    assert.match(r.stdout, /"authorization-plugins": \["bh"\]/);
  });

  it('writes both files with --write', async () => {
    const r = await runBulkhead([
      'authz',
      'install',
      '--write',
      '--spec-dir',
      join(dir, 'plugins'),
      '--unit-dir',
      join(dir, 'units'),
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      readFileSync(join(dir, 'plugins/bulkhead.spec'), 'utf8'),
      'unix:///run/docker/plugins/bulkhead.sock\n',
    );
    assert.match(readFileSync(join(dir, 'units/bulkhead-authz.service'), 'utf8'), /^\[Unit\]/);
  });

  it('lists every action with its category', async () => {
    const r = await runBulkhead(['authz', 'actions']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^container_logs +read +container +docker logs$/m);
    assert.match(r.stdout, /^exec_start +exec +exec /m);
  });
});

describe('authz deadline', () => {
  it('denies with a clear message when resolution hangs past the deadline', async () => {
    const policyFile = join(dir, 'deadline.yaml');
    copyFileSync(POLICY, policyFile);
    const hang: Resolver = {
      container: () => new Promise(() => undefined),
      exec: () => new Promise(() => undefined),
      mountsInUse: () => new Promise(() => undefined),
      volumeBinds: () => new Promise(() => undefined),
    };
    const lines: string[] = [];
    const engine = new AuthzEngine({
      policyFile,
      resolver: hang,
      deadlineMs: 150,
      log: (l) => lines.push(l),
    });
    const started = Date.now();
    const answer = await engine.handle(
      '/AuthZPlugin.AuthZReq',
      JSON.stringify({ User: 'alice', RequestMethod: 'GET', RequestUri: '/v1.41/containers/web/logs' }),
    );
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 140 && elapsed < 1000, `${elapsed} ms`);
    assert.deepEqual(answer.body, {
      Allow: false,
      Msg: 'bulkhead: denied alice container_logs: no decision within the 150 ms deadline (engine lookup or policy evaluation too slow)',
      Err: '',
    });
    assert.match(lines[0] ?? '', /"rule":"deadline"/);
  });
});

function post(socketPath: string, path: string, body: unknown): Promise<{ status: number; json: unknown }> {
  return new Promise((done, fail) => {
    const text = JSON.stringify(body);
    const req = request(
      { socketPath, path, method: 'POST', headers: { 'Content-Type': 'application/json' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          done({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
        });
      },
    );
    req.on('error', fail);
    req.end(text);
  });
}

describe('bulkhead authz serve (a real process)', () => {
  it('serves the protocol, logs decisions, reloads on change and SIGHUP, keeps a good policy, exits 0 on SIGTERM', async () => {
    const policyFile = join(dir, 'serve.yaml');
    copyFileSync(POLICY, policyFile);
    const socket = join(dir, 'p.sock');
    const log = join(dir, 'decisions.jsonl');
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(ROOT, 'src/cli/run.ts'),
        'authz',
        'serve',
        '--policy',
        policyFile,
        '--socket',
        socket,
        '--docker-host',
        'none',
        '--decision-log',
        log,
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((done) => {
      child.on('exit', (code) => {
        done(code);
      });
    });
    try {
      for (let i = 0; i < 100 && !existsSync(socket); i += 1) await sleep(100);
      assert.ok(existsSync(socket), stderr);
      const info = { User: 'bob', RequestMethod: 'GET', RequestUri: '/v1.41/info' };
      assert.deepEqual((await post(socket, '/Plugin.Activate', {})).json, { Implements: ['authz'] });
      assert.equal(
        ((await post(socket, '/AuthZPlugin.AuthZReq', info)).json as { Allow: boolean }).Allow,
        true,
      );
      const garbage = await post(socket, '/AuthZPlugin.AuthZReq', { nonsense: true });
      assert.equal((garbage.json as { Allow: boolean }).Allow, false);

      // an invalid edit is refused and the old policy stays in force
      writeFileSync(policyFile, 'version: 1\nroles: [oops\n');
      await sleep(600);
      assert.equal(
        ((await post(socket, '/AuthZPlugin.AuthZReq', info)).json as { Allow: boolean }).Allow,
        true,
      );

      // a valid edit that drops bob's read access takes effect without a restart
      writeFileSync(
        policyFile,
        readFileSync(POLICY, 'utf8').replace(
          "  container-runner:\n    - allow: ['@read-only']\n",
          '  container-runner:\n',
        ),
      );
      await sleep(600);
      assert.equal(
        ((await post(socket, '/AuthZPlugin.AuthZReq', info)).json as { Allow: boolean }).Allow,
        false,
      );

      // logrotate: move the log away, SIGHUP reopens it (and reloads the policy)
      renameSync(log, `${log}.1`);
      child.kill('SIGHUP');
      await sleep(300);
      assert.equal(
        ((await post(socket, '/AuthZPlugin.AuthZReq', info)).json as { Allow: boolean }).Allow,
        false,
      );
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
      assert.ok(!existsSync(socket), 'socket removed on exit');
      const parse = (text: string): Record<string, unknown>[] =>
        text
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as Record<string, unknown>);
      const fresh = parse(readFileSync(log, 'utf8'));
      assert.deepEqual(
        fresh.map((r) => r['event'] ?? r['decision']),
        ['policy_reload', 'deny'],
      );
      const records = [...parse(readFileSync(`${log}.1`, 'utf8')), ...fresh];
      const reloads = records.filter((r) => r['event'] === 'policy_reload');
      assert.ok(reloads.some((r) => r['ok'] === false && r['trigger'] === 'file-change'));
      assert.ok(reloads.some((r) => r['ok'] === true && r['trigger'] === 'file-change'));
      assert.ok(reloads.some((r) => r['trigger'] === 'SIGHUP'));
      const decisions = records.filter((r) => r['phase'] === 'req');
      assert.deepEqual(
        decisions.map((d) => d['decision']),
        ['allow', 'deny', 'allow', 'deny', 'deny'],
      );
      assert.match(stderr, /bulkhead authz: stopped/);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});

describe('bulkhead authz serve: flag validation', () => {
  it('refuses a deadline that would deny everything, naming the flag', async () => {
    const r = await runBulkhead([
      'authz',
      'serve',
      '--policy',
      POLICY,
      '--deadline-ms',
      '0',
      '--socket',
      join(dir, 'x.sock'),
    ]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--deadline-ms must be an integer between 10 and 60000, got 0/);
    assert.ok(!existsSync(join(dir, 'x.sock')));
  });

  it('refuses a docker host that is not a unix socket', async () => {
    const r = await runBulkhead([
      'authz',
      'serve',
      '--policy',
      POLICY,
      '--docker-host',
      'tcp://1.2.3.4:2375',
    ]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--docker-host must be unix:\/\/\/path\/to\/docker.sock or none/);
  });
});
