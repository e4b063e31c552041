// Unit tables for the host-hardening parsers: /proc/net addresses, sshd_config Include/Match semantics, audit
// rules, apt.conf options, journald drop-ins and os-release classification.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseAuditRules } from '../../src/host/hardening/auditd.js';
import { classifyOsRelease } from '../../src/host/hardening/container-os.js';
import { readJournald } from '../../src/host/hardening/journald.js';
import { decodeProcNetAddress, parseProcNet } from '../../src/host/hardening/listeners.js';
import { aptOption, iniValue } from '../../src/host/hardening/patching.js';
import { readSshdConfig, splitSshdLine } from '../../src/host/hardening/sshd.js';
import { parseShadowStatus } from '../../src/host/hardening/accounts-status.js';
import { RootFs } from '../../src/host/root-fs.js';

const roots: string[] = [];
after(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});
function tree(files: Record<string, string>): RootFs {
  const root = mkdtempSync(join(tmpdir(), 'bh-hardening-parse-'));
  roots.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return new RootFs(root);
}

describe('/proc/net addresses', () => {
  const cases: [string, boolean, string][] = [
    ['0100007F', true, '127.0.0.1'],
    ['00000000', true, '0.0.0.0'],
    ['7F000001', false, '127.0.0.1'],
    ['0000000000000000000000000000000000', true, 'invalid'],
    ['00000000000000000000000000000000', true, '::'],
    ['00000000000000000000000001000000', true, '::1'],
    ['0000000000000000FFFF00000100007F', true, '::ffff:127.0.0.1'],
    ['B80D0120000000000000000001000000', true, '2001:db8::1'],
  ];
  for (const [hex, le, expected] of cases)
    it(`${hex} (${le ? 'LE' : 'BE'}) -> ${expected}`, () => {
      assert.equal(decodeProcNetAddress(hex, le) ?? 'invalid', expected);
    });

  it('keeps only LISTEN tcp rows and unconnected udp rows of a real table', () => {
    const tcp = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:46A8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 127289 1 00000000029921a3 100 0 0 10 0
   1: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1603 1 00000000afffbd41 100 0 0 10 0
   2: 0100007F:9CE0 0100007F:46A8 06 00000000:00000000 03:00000DA9 00000000     0        0 0 3 000000000c2705ca
   garbage line
`;
    assert.deepEqual(parseProcNet(tcp, 'tcp', true), [
      { protocol: 'tcp', address: '127.0.0.1', port: 18088, inode: 127289 },
      { protocol: 'tcp', address: '0.0.0.0', port: 2024, inode: 1603 },
    ]);
    const udp = `   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  1: 00000000:14E9 00000000:0000 07 00000000:00000000 00:00000000 00000000   104        0 20011 2 0000000000000000 0
  2: 0A00020F:A1B2 08080808:0035 01 00000000:00000000 00:00000000 00000000     0        0 20012 2 0000000000000000 0
`;
    assert.deepEqual(parseProcNet(udp, 'udp', true), [
      { protocol: 'udp', address: '0.0.0.0', port: 5353, inode: 20011 },
    ]);
  });
});

describe('sshd_config as sshd reads it', () => {
  it('splits keyword and arguments in both forms, ignoring comments', () => {
    assert.deepEqual(splitSshdLine('  PermitRootLogin=yes'), { keyword: 'permitrootlogin', args: ['yes'] });
    assert.deepEqual(splitSshdLine('AllowUsers "a b" c # trailing'), {
      keyword: 'allowusers',
      args: ['a b', 'c'],
    });
    assert.equal(splitSshdLine('# PermitRootLogin yes'), undefined);
  });

  it('first value wins, Includes expand in place and in order, Match blocks stay apart', () => {
    const fs = tree({
      '/etc/ssh/sshd_config':
        'Include sshd_config.d/*.conf\nPermitRootLogin no\nPasswordAuthentication no\nMatch User deploy\n  PasswordAuthentication yes\nMatch all\nX11Forwarding yes\n',
      '/etc/ssh/sshd_config.d/20-b.conf': 'PermitRootLogin without-password\n',
      '/etc/ssh/sshd_config.d/10-a.conf': 'permitrootlogin yes\n',
      '/etc/ssh/sshd_config.d/notes.txt': 'PermitRootLogin forced-commands-only\n',
    });
    const config = readSshdConfig(fs);
    assert.ok(config);
    assert.deepEqual(config.files, [
      '/etc/ssh/sshd_config',
      '/etc/ssh/sshd_config.d/10-a.conf',
      '/etc/ssh/sshd_config.d/20-b.conf',
    ]);
    assert.deepEqual(config.global['permitrootlogin'], {
      value: 'yes',
      at: { file: '/etc/ssh/sshd_config.d/10-a.conf', line: 1 },
      isDefault: false,
    });
    assert.equal(config.global['passwordauthentication']?.value, 'no');
    assert.equal(config.matches.length, 1);
    assert.equal(config.matches[0]?.criteria, 'User deploy');
    assert.equal(config.matches[0].settings['passwordauthentication']?.value, 'yes');
    assert.equal(config.global['x11forwarding']?.value, 'yes', 'Match all returns to the global scope');
    assert.equal(config.global['allowagentforwarding']?.isDefault, true);
  });

  it('a Match opened in an included file ends with that file; include loops stop at the depth limit', () => {
    const fs = tree({
      '/etc/ssh/sshd_config': 'Include /etc/ssh/match.conf\nPermitRootLogin no\nInclude /etc/ssh/loop.conf\n',
      '/etc/ssh/match.conf': 'Match Address 10.0.0.0/8\nPermitRootLogin yes\n',
      '/etc/ssh/loop.conf': 'Include /etc/ssh/loop.conf\n',
    });
    const config = readSshdConfig(fs);
    assert.ok(config);
    assert.equal(config.global['permitrootlogin']?.value, 'no');
    assert.equal(config.matches[0]?.settings['permitrootlogin']?.value, 'yes');
  });
});

describe('audit rules as auditctl loads them', () => {
  it('counts -w and -F path/dir rules, not comments, and -D drops what came before', () => {
    const watches = parseAuditRules(
      '-w /usr/bin/runc -k early\n-D\n# -w /usr/bin/dockerd -k docker\n-w /usr/bin/dockerd -p rwxa -k docker\n-a always,exit -F dir=/var/lib/docker -F perm=wa -F key=docker\n-a always,exit -F arch=b64 -S mount -k mounts\n',
      '/etc/audit/audit.rules',
    );
    assert.deepEqual(
      watches.map((w) => [w.path, w.permissions, w.key, w.at.line]),
      [
        ['/usr/bin/dockerd', 'rwxa', 'docker', 4],
        ['/var/lib/docker', 'wa', 'docker', 5],
      ],
    );
  });
});

describe('update configuration', () => {
  it('apt.conf.d: the last file in lexical order wins', () => {
    const fs = tree({
      '/etc/apt/apt.conf.d/20auto-upgrades': 'APT::Periodic::Unattended-Upgrade "1";\n',
      '/etc/apt/apt.conf.d/99local': '// off for now\nAPT::Periodic::Unattended-Upgrade "0";\n',
    });
    assert.deepEqual(aptOption(fs, 'APT::Periodic::Unattended-Upgrade'), {
      value: '0',
      at: '/etc/apt/apt.conf.d/99local:2',
    });
  });
  it('ini sections keep keys apart', () => {
    const text = '[emitters]\napply_updates = yes\n[commands]\napply_updates = no\n';
    assert.deepEqual(iniValue(text, 'commands', 'apply_updates'), { value: 'no', line: 4 });
  });
});

describe('journald Storage=', () => {
  it('drop-ins sorted by name override journald.conf; only [Journal] counts', () => {
    const fs = tree({
      '/etc/systemd/journald.conf': '[Journal]\nStorage=persistent\n',
      '/etc/systemd/journald.conf.d/50-volatile.conf': '[Journal]\nStorage=volatile\n',
      '/usr/lib/systemd/journald.conf.d/10-vendor.conf': '[Other]\nStorage=none\n',
    });
    const j = readJournald(fs);
    assert.equal(j.storage, 'volatile');
    assert.deepEqual(j.at, { file: '/etc/systemd/journald.conf.d/50-volatile.conf', line: 2 });
  });
});

describe('os-release classification', () => {
  const cases: [string, string | undefined][] = [
    ['ID=bottlerocket', 'bottlerocket'],
    ['ID=flatcar', 'flatcar'],
    ['ID=fedora\nVARIANT_ID=coreos', 'fedora-coreos'],
    ['ID=fedora\nVARIANT_ID=workstation', undefined],
    ['ID=talos', 'talos'],
    ['ID=ubuntu-core', 'ubuntu-core'],
    ['ID="sl-micro"\nVARIANT_ID="elemental"', 'elemental'],
    ['ID=debian', undefined],
  ];
  for (const [text, expected] of cases)
    it(`${text.replace(/\n/g, ' ')} -> ${expected ?? 'general purpose'}`, () => {
      assert.equal(classifyOsRelease(text)?.containerOptimized, expected);
    });
});

describe('/etc/shadow status', () => {
  it('keeps the state of the password field only', () => {
    const statuses = parseShadowStatus(
      'root:!:1::::::\nx:*:1::::::\nguest::1::::::\nadmin:$6$s$h:1::::::\n',
      'guest:x:1:1::/:/bin/sh\n',
    );
    assert.deepEqual(
      statuses.map((s) => [s.user, s.status, s.shell]),
      [
        ['root', 'locked', undefined],
        ['x', 'locked', undefined],
        ['guest', 'empty', '/bin/sh'],
        ['admin', 'password', undefined],
      ],
    );
    assert.ok(!JSON.stringify(statuses).includes('$6$'));
  });
});
