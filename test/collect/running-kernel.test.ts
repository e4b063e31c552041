// The running-kernel rule (BH-H-041), `bulkhead info` facts and `scan host` on fixture host trees (--root) against
// the shared Debian DSA list: a bullseye kernel older than DSA linux fixes fails with exactly the CVEs the list
// implies (computed here from the list with dpkg --compare-versions), a newer linux-image installed turns them into
// "fixed after reboot", a loaded live patch naming a CVE removes it, and a custom kernel skips with the reason.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { rule } from '../../src/audit/rules/host/bh-h-041-running-kernel-cves.js';
import { collectFacts } from '../../src/collect/facts.js';
import { cvesFromCanonicalStatus, cvesFromKernelCare } from '../../src/host/livepatch-cves.js';
import { scanHost } from '../../src/scan/index.js';
import { buildVulnDb, openVulnDb, type VulnDb } from '../../src/vulndb/db.js';
import { FeedImporter } from '../../src/vulndb/import.js';

const DSA_LIST = resolve(
  import.meta.dirname,
  '../../../shared/data/vulndb/debian/security-tracker/data/DSA/list',
);
const work = mkdtempSync(join(tmpdir(), 'bh-kernel-'));
let db: VulnDb;
before(async () => {
  const path = join(work, 'db.sqlite');
  await buildVulnDb(path, { merge: false, toolVersion: 't' }, (w) => {
    w.transaction(() => {
      new FeedImporter(w).addPath(DSA_LIST);
    });
  });
  db = openVulnDb(path);
});
after(() => {
  db.close();
  rmSync(work, { recursive: true, force: true });
});

const RUNNING = '5.10.127-2';

function write(root: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

function dpkgStanza(name: string, version: string): string {
  return `Package: ${name}\nStatus: install ok installed\nArchitecture: amd64\nSource: linux\nVersion: ${version}\n\n`;
}

function bullseyeHost(
  name: string,
  extra: Record<string, string> = {},
  kernels: [string, string][] = [['linux-image-5.10.0-20-amd64', RUNNING]],
): string {
  const root = join(work, name);
  write(root, {
    'etc/os-release':
      'PRETTY_NAME="Debian GNU/Linux 11 (bullseye)"\nNAME="Debian GNU/Linux"\nVERSION_ID="11"\nVERSION_CODENAME=bullseye\nID=debian\n',
    'proc/sys/kernel/osrelease': '5.10.0-20-amd64\n',
    'proc/sys/kernel/version': `#1 SMP Debian ${RUNNING} (2022-12-13)\n`,
    'proc/version': `Linux version 5.10.0-20-amd64 (debian-kernel@lists.debian.org) (gcc-10 (Debian 10.2.1-6) 10.2.1 20210110, GNU ld (GNU Binutils for Debian) 2.35.2) #1 SMP Debian ${RUNNING} (2022-12-13)\n`,
    'var/lib/dpkg/status': kernels.map(([n, v]) => dpkgStanza(n, v)).join(''),
    ...extra,
  });
  mkdirSync(join(root, 'sys/kernel'), { recursive: true });
  return root;
}

/** From the DSA list alone: CVE -> first bullseye linux fix above the running version (dpkg decides). */
function expectedFromList(): Map<string, string> {
  const text = readFileSync(DSA_LIST, 'utf8');
  const fixes: { cves: string[]; fixed: string }[] = [];
  for (const block of text.split(/\n(?=\[)/)) {
    if (!/^\[[^\]]+\] DSA-\S+ linux /.test(block)) continue;
    const fixed = /\[bullseye\] - linux (\S+)/.exec(block)?.[1];
    if (fixed === undefined) continue;
    fixes.push({ cves: [...block.matchAll(/CVE-\d{4}-\d{4,}/g)].map((m) => m[0]), fixed });
  }
  const out = new Map<string, string>();
  for (const f of fixes) {
    let newer = true;
    try {
      execFileSync('dpkg', ['--compare-versions', RUNNING, 'lt', f.fixed]);
    } catch {
      newer = false;
    }
    if (!newer) continue;
    for (const cve of f.cves) {
      const previous = out.get(cve);
      let earlier = previous === undefined;
      if (previous !== undefined) {
        try {
          execFileSync('dpkg', ['--compare-versions', f.fixed, 'lt', previous]);
          earlier = true;
        } catch {
          earlier = false;
        }
      }
      if (earlier) out.set(cve, f.fixed);
    }
  }
  return out;
}

async function judge(root: string) {
  const facts = await collectFacts({ root, env: {}, skipEngine: true, vulnDb: db });
  const [check] = rule.check({ facts, settings: { trustedRegistries: [], allowedListeners: [] } });
  assert.ok(check !== undefined);
  return { facts, check };
}

describe('BH-H-041 running kernel against the DSA list', () => {
  const expected = expectedFromList();

  it('a bullseye kernel older than the DSA linux fixes fails with exactly those CVEs', async () => {
    assert.ok(expected.size >= 10, `only ${expected.size} CVEs expected`);
    const { facts, check } = await judge(bullseyeHost('old'));
    assert.equal(check.outcome.kind, 'fail');
    const kv = facts.kernelVulnerabilities;
    assert.ok(kv?.state === 'known');
    assert.equal(kv.value.runningVersion, RUNNING);
    assert.equal(kv.value.versionSource, '/proc/version');
    assert.deepEqual(new Map(kv.value.missing.map((m) => [m.cve, m.fixedVersion])), expected);
    assert.ok(kv.value.missing.every((m) => m.state === 'not-installed'));
    assert.match(check.message, /fix not installed: CVE-/);
  });

  it('with linux-image 5.10.149-2 installed, the CVEs fixed up to it are "fixed after reboot", later ones not installed', async () => {
    const root = bullseyeHost('after-reboot', {}, [
      ['linux-image-5.10.0-20-amd64', RUNNING],
      ['linux-image-5.10.0-19-amd64', '5.10.149-2'],
    ]);
    const { facts, check } = await judge(root);
    assert.ok(facts.kernelVulnerabilities?.state === 'known');
    const missing = facts.kernelVulnerabilities.value.missing;
    const after = missing.filter((m) => m.state === 'fixed-after-reboot').map((m) => m.cve);
    assert.deepEqual(
      after,
      [...expected]
        .filter(([, v]) => v !== '5.10.162-1')
        .map(([c]) => c)
        .sort(),
    );
    assert.ok(after.length > 0);
    const later = missing.filter((m) => m.state === 'not-installed').map((m) => m.cve);
    assert.ok(later.includes('CVE-2023-0179'), 'DSA-5324-1 (5.10.162-1) is not installed');
    assert.match(
      check.message,
      /fixed after reboot \(linux-image-5\.10\.0-19-amd64 5\.10\.149-2 is installed\).*fix not installed: CVE-/,
    );
  });

  it('a loaded live patch naming a CVE removes it, and says where that came from', async () => {
    const root = bullseyeHost('livepatch', {
      'sys/kernel/livepatch/kpatch_cve_2023_0179/enabled': '1\n',
      'sys/kernel/livepatch/kpatch_misc/enabled': '1\n',
    });
    const { facts, check } = await judge(root);
    assert.ok(facts.kernelVulnerabilities?.state === 'known');
    const value = facts.kernelVulnerabilities.value;
    assert.equal(
      value.missing.some((m) => m.cve === 'CVE-2023-0179'),
      false,
    );
    assert.equal(value.missing.length, expected.size - 1);
    assert.deepEqual(value.livePatched, [
      { cve: 'CVE-2023-0179', advisory: 'DSA-5324-1', source: '/sys/kernel/livepatch/kpatch_cve_2023_0179' },
    ]);
    assert.match(
      check.message,
      /live patches cover CVE-2023-0179 \(\/sys\/kernel\/livepatch\/kpatch_cve_2023_0179\)/,
    );
  });

  it('a kernel newer than every fix passes', async () => {
    const root = bullseyeHost('new');
    write(root, {
      'proc/version': 'Linux version 5.10.0-99-amd64 #1 SMP Debian 5.10.999-1 (2026-01-01)\n',
      'proc/sys/kernel/version': '#1 SMP Debian 5.10.999-1 (2026-01-01)\n',
    });
    const { check } = await judge(root);
    assert.equal(check.outcome.kind, 'pass');
  });

  it('an unknown (custom) kernel skips with the reason', async () => {
    const root = bullseyeHost('custom');
    write(root, {
      'proc/sys/kernel/osrelease': '6.18.44-fc-v657\n',
      'proc/sys/kernel/version': '#1 SMP PREEMPT_DYNAMIC Mon Nov 3 10:00:00 UTC 2026\n',
      'proc/version':
        'Linux version 6.18.44-fc-v657 (root@build) #1 SMP PREEMPT_DYNAMIC Mon Nov 3 10:00:00 UTC 2026\n',
    });
    const { check } = await judge(root);
    assert.equal(check.outcome.kind, 'skip');
    assert.match(
      check.message,
      /6\.18\.44-fc-v657.*carries no Debian GNU\/Linux 11 \(bullseye\) package version/,
    );
  });

  it('no database: skip, never a pass', async () => {
    const facts = await collectFacts({
      root: bullseyeHost('nodb'),
      env: {},
      skipEngine: true,
      vulnDb: join(work, 'absent.sqlite'),
    });
    const [check] = rule.check({ facts, settings: { trustedRegistries: [], allowedListeners: [] } });
    assert.equal(check?.outcome.kind, 'skip');
    assert.match(check.message, /no vulnerability database/);
  });

  it('scan host includes the running-kernel CVEs as findings', async () => {
    const result = await scanHost(bullseyeHost('scan'), { db, env: {}, configChecks: false });
    const kernel = result.findings.filter(
      (f) => f.target.kind === 'package' && f.target.name === 'linux (running kernel)',
    );
    assert.equal(kernel.length, expected.size);
    assert.ok(kernel.every((f) => f.vulnerability?.status === 'fixed'));
  });
});

describe('live-patch client reports', () => {
  it('KernelCare kcarectl --patch-info: kpatch-cve lines', () => {
    const text =
      'OS: centos7\nkernel: kernel-3.10.0-1160.el7\n\nkpatch-name: 3.10.0/CVE-2021-3653.patch\nkpatch-cve: CVE-2021-3653\nkpatch-cvss: 8.8\n\nkpatch-name: x\nkpatch-cve: CVE-2021-3656 CVE-2021-22555\n';
    assert.deepEqual(
      cvesFromKernelCare(text).map((c) => c.cve),
      ['CVE-2021-3653', 'CVE-2021-3656', 'CVE-2021-22555'],
    );
  });
  it('Canonical Livepatch status JSON: the running kernel applied fixes only', () => {
    const text = JSON.stringify({
      Status: [
        {
          Kernel: '5.4.0-1043.45-azure',
          Running: true,
          Livepatch: { CheckState: 'checked', State: 'applied', Fixes: '* cve-2021-3444\n* cve-2021-3600' },
        },
        {
          Kernel: '5.4.0-1040.42-azure',
          Running: false,
          Livepatch: { State: 'applied', Fixes: '* cve-2020-0001' },
        },
      ],
    });
    assert.deepEqual(
      cvesFromCanonicalStatus(text).map((c) => c.cve),
      ['CVE-2021-3444', 'CVE-2021-3600'],
    );
    assert.deepEqual(cvesFromCanonicalStatus('not json'), []);
  });
});
