// `bulkhead authz install` at CLI level (issue 9 item 10): ExecStart names the running bulkhead (not
// /usr/local/bin/bulkhead), `--write` checks the binary and the policy before writing anything (exit 2 and nothing
// written on any failure), and daemon.json is shown as a key merged with its current list, never written.
import assert from 'node:assert/strict';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { bulkheadWrapper } from '../harness/bulkhead-wrapper.js';
import { runBulkhead } from '../harness/cli.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const EXAMPLE = join(ROOT, 'examples/authz/policy.yaml');
const dir = mkdtempSync(join(tmpdir(), 'bh-authz-install-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

let n = 0;
/** A fresh target: spec and unit directories (not created), a daemon.json path, the example policy copied. */
function target(daemonJson?: string): { base: string; args: string[]; policy: string; daemonConfig: string } {
  n += 1;
  const base = join(dir, `t${n}`);
  mkdirSync(base);
  const policy = join(base, 'policy.yaml');
  copyFileSync(EXAMPLE, policy);
  const daemonConfig = join(base, 'daemon.json');
  if (daemonJson !== undefined) writeFileSync(daemonConfig, daemonJson);
  return {
    base,
    policy,
    daemonConfig,
    args: [
      '--policy',
      policy,
      '--spec-dir',
      join(base, 'plugins'),
      '--unit-dir',
      join(base, 'units'),
      '--daemon-config',
      daemonConfig,
    ],
  };
}

const nothingWritten = (base: string): void => {
  assert.ok(!existsSync(join(base, 'plugins')), 'spec directory created');
  assert.ok(!existsSync(join(base, 'units')), 'unit directory created');
};

describe('bulkhead authz install (printing)', () => {
  it('ExecStart is the running bulkhead: node’s absolute path and the real path of bin/bulkhead.js', async () => {
    const r = await runBulkhead(['authz', 'install', '--name', 'bh', '--policy', '/etc/bulkhead/p.yaml']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /# \/etc\/docker\/plugins\/bh.spec\nunix:\/\/\/run\/docker\/plugins\/bh.sock\n/);
    const script = realpathSync(join(ROOT, 'bin/bulkhead.js'));
    assert.ok(
      r.stdout.includes(
        `\nExecStart=${process.execPath} ${script} authz serve --policy /etc/bulkhead/p.yaml --socket /run/docker/plugins/bh.sock\n`,
      ),
      r.stdout,
    );
    assert.doesNotMatch(r.stdout, /\/usr\/local\/bin\/bulkhead/);
    assert.match(r.stdout, /ExecReload=\/bin\/kill -HUP \$MAINPID/);
  });

  it('--bin and relative paths become absolute; a binary under /home keeps ProtectHome read-only', async () => {
    const r = await runBulkhead(
      ['authz', 'install', '--bin', 'bin/bh', '--policy', 'p.yaml', '--decision-log', 'log/d.jsonl'],
      { cwd: '/home/ops' },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /^ExecStart=\/home\/ops\/bin\/bh authz serve --policy \/home\/ops\/p.yaml --socket \/run\/docker\/plugins\/bulkhead.sock --decision-log \/home\/ops\/log\/d.jsonl$/m,
    );
    assert.match(r.stdout, /^ProtectHome=read-only$/m);
    assert.match(r.stdout, /^ReadWritePaths=\/run\/docker\/plugins \/home\/ops\/log$/m);
    const plain = await runBulkhead(['authz', 'install', '--bin', '/usr/bin/bulkhead']);
    assert.match(plain.stdout, /^ProtectHome=yes$/m);
  });

  it('shows the daemon.json key merged with the current list, and the merged file, without writing it', async () => {
    const current = '{\n  "log-driver": "journald",\n  "authorization-plugins": ["opa"]\n}\n';
    const t = target(current);
    const r = await runBulkhead(['authz', 'install', ...t.args]);
    assert.equal(r.code, 0, r.stderr);
    const block = r.stdout.slice(r.stdout.indexOf(`# ${t.daemonConfig}`));
    assert.equal(
      block,
      [
        `# ${t.daemonConfig}: merge this key (bulkhead does not write daemon.json):`,
        '{ "authorization-plugins": ["opa", "bulkhead"] }',
        `# ${t.daemonConfig} after the merge:`,
        '{',
        '  "log-driver": "journald",',
        '  "authorization-plugins": [',
        '    "opa",',
        '    "bulkhead"',
        '  ]',
        '}',
        '',
      ].join('\n'),
    );
    assert.equal(readFileSync(t.daemonConfig, 'utf8'), current);
  });

  it('says when daemon.json is missing, already lists the plugin, or cannot be parsed', async () => {
    const missing = target();
    const r1 = await runBulkhead(['authz', 'install', ...missing.args]);
    assert.match(
      r1.stdout,
      /daemon.json: does not exist; create it with \(bulkhead does not write daemon.json\):\n\{\n {2}"authorization-plugins": \[\n {4}"bulkhead"\n {2}\]\n\}\n$/,
    );
    assert.ok(!existsSync(missing.daemonConfig));
    const listed = target('{"authorization-plugins":["bulkhead"]}');
    const r2 = await runBulkhead(['authz', 'install', ...listed.args]);
    assert.match(
      r2.stdout,
      /daemon.json: already lists the plugin in "authorization-plugins"; nothing to change\n$/,
    );
    const broken = target('{"debug": true,}');
    const r3 = await runBulkhead(['authz', 'install', ...broken.args]);
    assert.equal(r3.code, 0);
    assert.match(
      r3.stdout,
      /daemon.json: it is not valid JSON \(.*\); merge this key by hand \(bulkhead does not write daemon.json\):\n\{ "authorization-plugins": \["bulkhead"\] \}\n$/,
    );
  });
});

describe('bulkhead authz install --write', () => {
  it('checks the binary and the policy, writes both files, prints the daemon.json change', async () => {
    const t = target('{"authorization-plugins":["opa"]}');
    const bin = bulkheadWrapper(t.base);
    const r = await runBulkhead(['authz', 'install', '--write', '--bin', bin, ...t.args]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`checked: ${bin} --version is \\d+\\.\\d+\\.\\d+`));
    assert.match(r.stderr, /checked: .*policy.yaml loads \(2 users, 0 warnings\)/);
    assert.equal(
      readFileSync(join(t.base, 'plugins/bulkhead.spec'), 'utf8'),
      'unix:///run/docker/plugins/bulkhead.sock\n',
    );
    const unit = readFileSync(join(t.base, 'units/bulkhead-authz.service'), 'utf8');
    assert.match(unit, new RegExp(`^ExecStart=${bin} authz serve --policy ${t.policy} `, 'm'));
    assert.match(r.stdout, /merge this key .*\n\{ "authorization-plugins": \["opa", "bulkhead"\] \}\n/);
    assert.equal(readFileSync(t.daemonConfig, 'utf8'), '{"authorization-plugins":["opa"]}');
    // nothing else left behind (the temporary names were renamed)
    assert.deepEqual(readdirSync(join(t.base, 'plugins')), ['bulkhead.spec']);
    assert.deepEqual(readdirSync(join(t.base, 'units')), ['bulkhead-authz.service']);
  });

  const refusals: readonly {
    readonly name: string;
    readonly setup: (t: ReturnType<typeof target>) => string[];
    readonly error: RegExp;
  }[] = [
    {
      name: 'a --bin that does not exist',
      setup: (t) => ['--bin', join(t.base, 'nope')],
      error: /^bulkhead: bulkhead binary .*nope does not exist \(ENOENT\)\n {2}fix: pass --bin /,
    },
    {
      name: 'a --bin that is not executable',
      setup: (t) => {
        const bin = bulkheadWrapper(t.base);
        chmodSync(bin, 0o644);
        return ['--bin', bin];
      },
      error: /^bulkhead: bulkhead binary .* is not executable by this user\n {2}fix: chmod \+x /,
    },
    {
      name: 'a --bin that is another program',
      setup: (t) => {
        const bin = join(t.base, 'hello');
        writeFileSync(bin, '#!/bin/sh\necho hello\n');
        chmodSync(bin, 0o755);
        return ['--bin', bin];
      },
      error: /^bulkhead: .*hello does not look like bulkhead: --version printed "hello"\n {2}fix: /,
    },
    {
      name: 'a policy with errors (file:line:column)',
      setup: (t) => {
        writeFileSync(t.policy, 'version: 1\nroles:\n  r:\n    - allow: [container_lgs]\n');
        return ['--bin', bulkheadWrapper(t.base)];
      },
      error:
        /^bulkhead: .*policy.yaml: 1 policy error\(s\):\n.*policy.yaml:4:15: unknown action "container_lgs"/,
    },
    {
      name: 'a policy that does not exist',
      setup: (t) => {
        rmSync(t.policy);
        return ['--bin', bulkheadWrapper(t.base)];
      },
      error: /^bulkhead: cannot read policy .*policy.yaml \(ENOENT\)\n {2}fix: /,
    },
  ];
  for (const tc of refusals) {
    it(`refuses ${tc.name}: exit 2, a bulkhead: message with a fix, nothing written`, async () => {
      const t = target();
      const extra = tc.setup(t);
      const r = await runBulkhead(['authz', 'install', '--write', ...extra, ...t.args]);
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(r.stderr, tc.error);
      assert.doesNotMatch(r.stderr, /wrote /);
      nothingWritten(t.base);
    });
  }

  it('without --bin checks the running bulkhead itself (bin/bulkhead.js needs the built dist/)', async () => {
    const t = target();
    const r = await runBulkhead(['authz', 'install', '--write', ...t.args]);
    if (existsSync(join(ROOT, 'dist/cli/main.js'))) {
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /checked: .*bin\/bulkhead.js --version is /);
    } else {
      assert.equal(r.code, 2, r.stderr);
      assert.match(
        r.stderr,
        /^bulkhead: .*bin\/bulkhead.js --version failed \(exit 1\): .*\n {2}fix: build the package \(npm run build\)/,
      );
      nothingWritten(t.base);
    }
  });
});
