// `bulkhead authz` as a user runs it: `test` on the shipped example, policy errors with line numbers, `actions`
// (`install`: install.test.ts), and `serve` as a real process (socket, decision log, hot reload, SIGHUP, SIGTERM, deadline).
import assert from 'node:assert/strict';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { request } from 'node:http';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Resolver } from '../../src/authz/resolver.js';
import { AuthzEngine } from '../../src/authz/server.js';
import { startAuthzPlugin, textOf, waitFor, type AuthzPlugin } from '../harness/authz-plugin.js';
import { runBulkhead } from '../harness/cli.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
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

describe('bulkhead authz actions', () => {
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
    const answer = await engine.handle(
      '/AuthZPlugin.AuthZReq',
      JSON.stringify({ User: 'alice', RequestMethod: 'GET', RequestUri: '/v1.41/containers/web/logs' }),
    );
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
    const plugin = await startAuthzPlugin({ policy: policyFile, socket, decisionLog: log });
    try {
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
      await waitFor('the failed reload', () => /"policy_reload"[^\n]*"ok":false/.test(textOf(log)));
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
      await waitFor('the reload', () => textOf(log).includes('"trigger":"file-change","ok":true'));
      assert.equal(
        ((await post(socket, '/AuthZPlugin.AuthZReq', info)).json as { Allow: boolean }).Allow,
        false,
      );

      // logrotate: move the log away, SIGHUP reopens it (and reloads the policy)
      renameSync(log, `${log}.1`);
      plugin.kill('SIGHUP');
      await waitFor('the SIGHUP reload in the new log', () => textOf(log).includes('"trigger":"SIGHUP"'));
      assert.equal(
        ((await post(socket, '/AuthZPlugin.AuthZReq', info)).json as { Allow: boolean }).Allow,
        false,
      );
      plugin.kill('SIGTERM');
      assert.equal(await plugin.exited, 0);
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
      assert.match(plugin.stderr(), /bulkhead authz: stopped/);
    } finally {
      await plugin.stop();
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

async function serve(name: string, extra: readonly string[], policyFile: string): Promise<AuthzPlugin> {
  const plugin = await startAuthzPlugin({
    policy: policyFile,
    socket: join(dir, `${name}.sock`),
    args: extra,
  });
  after(() => plugin.stop());
  return plugin;
}

const INFO = { User: 'bob', RequestMethod: 'GET', RequestUri: '/v1.41/info' };
const allowed = async (socket: string): Promise<boolean> =>
  ((await post(socket, '/AuthZPlugin.AuthZReq', INFO)).json as { Allow: boolean }).Allow;

// Issue 9 item 7: the decision log never takes the plugin down.
describe('bulkhead authz serve: a failing decision log', () => {
  it('keeps deciding on a full disk (/dev/full: every write is ENOSPC), reports it once, exits 0', async () => {
    const policyFile = join(dir, 'full.yaml');
    copyFileSync(POLICY, policyFile);
    const s = await serve('full', ['--decision-log', '/dev/full'], policyFile);
    for (let i = 0; i < 20; i += 1) assert.equal(await allowed(s.socket), true);
    assert.ok(s.alive());
    // stderr arrives through a pipe: wait for the report before counting it
    await waitFor('the ENOSPC report', () => s.stderr().includes('cannot write /dev/full (ENOSPC)'));
    assert.equal((s.stderr().match(/cannot write \/dev\/full \(ENOSPC\)/g) ?? []).length, 1, s.stderr());
    s.kill('SIGTERM');
    assert.equal(await s.exited, 0);
    assert.match(s.stderr(), /the decision log failed \d+ times/);
  });

  it('survives SIGHUP after the log directory vanished, and writes again once it is back', async () => {
    const policyFile = join(dir, 'vanish.yaml');
    copyFileSync(POLICY, policyFile);
    const logDir = join(dir, 'vanishing-logs');
    mkdirSync(logDir);
    const log = join(logDir, 'decisions.jsonl');
    const s = await serve('vanish', ['--decision-log', log], policyFile);
    assert.equal(await allowed(s.socket), true);
    rmSync(logDir, { recursive: true });
    s.kill('SIGHUP');
    await waitFor('the reopen failure on stderr', () =>
      /cannot open .*decisions.jsonl \(ENOENT\)/.test(s.stderr()),
    );
    for (let i = 0; i < 5; i += 1) assert.equal(await allowed(s.socket), true);
    assert.ok(s.alive());
    mkdirSync(logDir);
    // the log is retried once a second; each poll makes one more decision (awaited before SIGTERM, so no request
    // is cut off by the shutdown)
    const polls: Promise<boolean>[] = [];
    await waitFor('the recovered log', () => {
      polls.push(allowed(s.socket));
      return textOf(log).includes('"event":"decision_log_recovered"');
    });
    for (const decided of await Promise.all(polls)) assert.equal(decided, true);
    // the decisions taken while the directory was gone were kept and written
    assert.ok((textOf(log).match(/"phase":"req"/g) ?? []).length >= 5, textOf(log));
    s.kill('SIGTERM');
    assert.equal(await s.exited, 0);
  });
});

// Issue 9 item 9: no reload loop when the decision log shares the policy's directory.
describe('bulkhead authz serve: policy watch', () => {
  it('logs one failure for an invalid policy, however often files in its directory change', async () => {
    const policyDir = join(dir, 'watched');
    mkdirSync(policyDir);
    const policyFile = join(policyDir, 'policy.yaml');
    copyFileSync(POLICY, policyFile);
    const log = join(policyDir, 'decisions.jsonl');
    const s = await serve('watched', ['--decision-log', log], policyFile);
    writeFileSync(policyFile, 'version: 1\nroles: [oops\n');
    // the reload's own event (engine_paths, logged at start without an engine, also says "ok":false)
    await waitFor('the failed reload', () => /"event":"policy_reload"[^\n]*"ok":false/.test(textOf(log)));
    // decisions (log writes in the same directory) and unrelated files keep the directory busy; each round waits
    // until its decision is in the log, so every one of those writes has happened before the next step
    for (let i = 0; i < 12; i += 1) {
      assert.equal(await allowed(s.socket), true);
      writeFileSync(join(policyDir, `other-${i}.txt`), 'x');
      await waitFor(
        `decision ${i + 1} in the log`,
        () => (textOf(log).match(/"phase":"req"/g) ?? []).length > i,
      );
    }
    // the same invalid content written again is not re-read either: the watcher says so once its debounce ran,
    // and every event before it (the noise above) has been handled by then
    writeFileSync(policyFile, 'version: 1\nroles: [oops\n');
    await waitFor('the unchanged-policy event', () =>
      textOf(log).includes('"event":"policy_unchanged","trigger":"file-change"'),
    );
    assert.match(
      textOf(log),
      /"policy_unchanged"[^\n]*"reason":"same content as the policy that failed to load"/,
    );
    const failures = (textOf(log).match(/"event":"policy_reload"[^\n]*"ok":false/g) ?? []).length;
    assert.equal(failures, 1, textOf(log));
    // a fixed policy is picked up (an edit: the original content is the policy still in force)
    writeFileSync(policyFile, `${readFileSync(POLICY, 'utf8')}\n# fixed\n`);
    await waitFor('the good reload', () => textOf(log).includes('"trigger":"file-change","ok":true'));
    s.kill('SIGTERM');
    assert.equal(await s.exited, 0);
  });
});

// Issue 9 item 8: idle connections are closed.
describe('bulkhead authz serve: idle connections', () => {
  it('closes a connection that sends nothing within --idle-timeout-ms', async () => {
    const policyFile = join(dir, 'idle.yaml');
    copyFileSync(POLICY, policyFile);
    const s = await serve(
      'idle',
      ['--idle-timeout-ms', '300', '--decision-log', join(dir, 'idle.jsonl')],
      policyFile,
    );
    const conn = createConnection(s.socket);
    let closed = false;
    conn.on('close', () => (closed = true));
    conn.on('error', () => undefined);
    await waitFor('the server to close the idle connection', () => closed, 10000);
    assert.equal(await allowed(s.socket), true);
    s.kill('SIGTERM');
    assert.equal(await s.exited, 0);
  });
});
