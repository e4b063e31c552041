// The unit `bulkhead watch install` prints is hardened (src/watch/install.ts) as far as watch's needs allow: this runs
// the real `bulkhead watch` on the test engine under exactly the unit's CapabilityBoundingSet and NoNewPrivileges,
// both read out of the printed unit (setpriv from util-linux, as systemd sets them up for a root service), and its
// SystemCallFilter= deny list (a small seccomp helper, test/harness/seccomp-deny.c), and shows
// that each capability's job still gets done: a denied drift exec (fanotify: CAP_SYS_ADMIN) with its argv
// (process_vm_readv: CAP_SYS_PTRACE), one in a container user's 0700 directory (UpperDir lstat: CAP_DAC_READ_SEARCH),
// an allowed exec, the proc connector's 8 MiB receive buffer (SO_RCVBUFFORCE: CAP_NET_ADMIN), SCHED_FIFO
// (CAP_SYS_NICE) and kill mode's SIGKILL to another uid (CAP_KILL). Dropping any one of them from the unit makes one
// of these assertions fail (checked for each of the six).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runBulkhead } from '../harness/cli.js';
import { BUSYBOX_IMAGE, engineSuite, sharedEngine, type SharedEngine } from '../harness/shared-engine.js';
import { startWatch, waitForEvents, type RunningWatch } from '../harness/watch-run.js';

const DOCKER = existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker';
const NAME = 'bhu-c';
const GVISOR = 'bhu-g';
const UNISTD = '/usr/include/x86_64-linux-gnu/asm/unistd_64.h';

function docker(host: string, args: readonly string[]): { status: number | null; stderr: string } {
  const r = spawnSync(DOCKER, ['--host', host, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stderr: r.stderr };
}

/** The one value of `Key=` in the unit's text (a second one would be a unit systemd reads differently). */
function directive(unit: string, key: string): string {
  const values = unit
    .split('\n')
    .filter((l) => l.startsWith(`${key}=`))
    .map((l) => l.slice(key.length + 1));
  assert.equal(values.length, 1, `${key}= in the unit:\n${unit}`);
  return values[0] ?? '';
}

/** The capability names in the CapEff/CapBnd mask of a /proc/<pid>/status, as capsh decodes them (cap_sys_admin,...). */
function capsOf(pid: number, field: 'CapEff' | 'CapBnd'): string[] {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const mask = new RegExp(`^${field}:\\s+([0-9a-f]+)$`, 'm').exec(status)?.[1];
  assert.ok(mask !== undefined, status);
  const decoded = execFileSync('capsh', [`--decode=${mask}`], { encoding: 'utf8' }).trim();
  return (decoded.split('=')[1] ?? '').split(',').filter(Boolean).sort();
}

/** The system calls of a SystemCallFilter= entry (`@group` expanded by systemd-analyze itself, nested groups too). */
function expandSyscalls(entry: string): string[] {
  if (!entry.startsWith('@')) return [entry];
  const r = spawnSync('systemd-analyze', ['syscall-filter', entry], { encoding: 'utf8' });
  assert.equal(r.status, 0, `systemd-analyze syscall-filter ${entry}: ${r.stderr}`);
  return r.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#') && l !== entry)
    .flatMap(expandSyscalls);
}

/** x86-64 system call numbers by name, from the kernel headers node-gyp builds against. */
function syscallNumbers(): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of readFileSync(UNISTD, 'utf8').matchAll(/^#define __NR_(\w+) (\d+)$/gm))
    if (m[1] !== undefined && m[2] !== undefined) out.set(m[1], Number(m[2]));
  return out;
}

describe('bulkhead watch under the capabilities of its systemd unit', engineSuite, () => {
  let engine: SharedEngine;
  let dir: string;
  let profiles: string;
  let db: string;
  let caps: string[];
  let prefix: string[];

  before(async () => {
    engine = sharedEngine();
    dir = mkdtempSync(join(tmpdir(), 'bh-unit-'));
    profiles = join(dir, 'profiles');
    db = join(dir, 'events.db');
    mkdirSync(profiles);
    const printed = await runBulkhead(['watch', 'install', '--profiles', profiles, '--db', db]);
    assert.equal(printed.code, 0, printed.stderr);
    caps = directive(printed.stdout, 'CapabilityBoundingSet')
      .split(/\s+/)
      .map((c) => c.toLowerCase())
      .sort();
    assert.ok(caps.length > 0 && caps.every((c) => /^cap_[a-z_]+$/.test(c)), caps.join(' '));
    assert.equal(directive(printed.stdout, 'NoNewPrivileges'), 'yes');
    assert.doesNotMatch(printed.stdout, /^AmbientCapabilities=/m, 'root needs none (and setpriv gives none)');
    // SystemCallFilter=~... with SystemCallErrorNumber=: the listed calls fail with that errno (test/harness/seccomp-deny.c);
    // RestrictNamespaces=yes is stood in for by denying unshare(2) and setns(2) outright (systemd filters their flags)
    const filter = directive(printed.stdout, 'SystemCallFilter');
    assert.ok(filter.startsWith('~'), `a deny list: ${filter}`);
    const errnoName = directive(printed.stdout, 'SystemCallErrorNumber');
    const errno = (constants.errno as Record<string, number | undefined>)[errnoName];
    assert.ok(errno !== undefined, errnoName);
    assert.equal(directive(printed.stdout, 'RestrictNamespaces'), 'yes');
    const numbers = syscallNumbers();
    const denied = [...filter.slice(1).split(/\s+/).flatMap(expandSyscalls), 'unshare', 'setns'];
    const nrs = [...new Set(denied.flatMap((name) => numbers.get(name) ?? []))];
    for (const name of ['ptrace', 'mount', 'init_module', 'reboot', 'unshare'])
      assert.ok(nrs.includes(numbers.get(name) ?? -1), `${name} is denied`);
    const helper = join(dir, 'seccomp-deny');
    execFileSync('cc', ['-O2', '-o', helper, join(import.meta.dirname, '..', 'harness', 'seccomp-deny.c')]);
    // root's capabilities after exec are its bounding set; nothing inheritable or ambient (systemd's defaults)
    prefix = [
      helper,
      String(errno),
      nrs.join(','),
      '--',
      'setpriv',
      '--bounding-set',
      `-all,${caps.map((c) => `+${c.slice('cap_'.length)}`).join(',')}`,
      '--inh-caps',
      '-all',
      '--ambient-caps',
      '-all',
      '--no-new-privs',
      '--',
    ];
    docker(engine.host, ['rm', '-f', NAME, GVISOR]);
    engine.docker(['run', '-d', '--name', NAME, '--network', 'none', BUSYBOX_IMAGE, 'sleep', '100000']);
    // a container user's private directory: only CAP_DAC_READ_SEARCH (or root's own uid) gets into it
    engine.docker(['exec', NAME, 'sh', '-c', 'mkdir -p /home/u && chown 1000 /home/u && chmod 700 /home/u']);
  });

  after(() => {
    docker(engine.host, ['rm', '-f', NAME, GVISOR]);
    rmSync(dir, { recursive: true, force: true });
  });

  const watch = (mode: string, container = NAME): Promise<RunningWatch> =>
    startWatch(
      ['--mode', mode, '--profiles', profiles, '--db', db, '--guard', 'none', '--container', container],
      { DOCKER_HOST: engine.host },
      prefix,
    );

  /** What a missing capability degrades is said on stderr at start; none of it may be there. */
  function assertFullStart(w: RunningWatch): void {
    const pid = w.child.pid;
    assert.ok(pid !== undefined);
    assert.deepEqual(capsOf(pid, 'CapBnd'), caps, 'the watch process has the unit bounding set');
    assert.deepEqual(capsOf(pid, 'CapEff'), caps, 'and exactly those capabilities in effect');
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    assert.match(status, /^NoNewPrivs:\s+1$/m);
    assert.match(status, /^Seccomp:\s+2$/m, 'under the system call filter');
    const err = w.stderr();
    assert.match(err, /process tree: proc connector; exec gate: fanotify;/, err);
    assert.doesNotMatch(err, /SCHED_FIFO refused|cannot raise|unavailable|receive buffer/, err);
  }

  it('deny: a drift exec is denied (argv read), also in a 0700 dir of uid 1000; /bin/true runs', async () => {
    const w = await watch('deny');
    try {
      assertFullStart(w);
      const r = docker(engine.host, ['exec', NAME, 'sh', '-c', 'cp /bin/busybox /tmp/x && /tmp/x true']);
      assert.equal(r.status, 126, `drift exec: ${r.stderr}`);
      const [denied] = await waitForEvents(
        db,
        'drift denial',
        (e) => e.path === '/tmp/x' && e.verdict === 'denied',
      );
      assert.equal(denied?.ruleId, 'BH-W-002');
      assert.deepEqual(denied.argv, ['/tmp/x', 'true'], 'argv from the blocked task (process_vm_readv)');

      const u = docker(engine.host, [
        'exec',
        '-u',
        '1000',
        NAME,
        'sh',
        '-c',
        'cp /bin/busybox /home/u/y && /home/u/y true',
      ]);
      assert.equal(u.status, 126, `drift exec in /home/u as uid 1000: ${u.stderr}`);
      const [deniedU] = await waitForEvents(
        db,
        'drift denial of uid 1000',
        (e) => e.path === '/home/u/y' && e.verdict === 'denied',
      );
      assert.equal(deniedU?.uid, 1000);

      const t = docker(engine.host, ['exec', NAME, '/bin/true']);
      assert.equal(t.status, 0, `/bin/true: ${t.stderr}`);
      await waitForEvents(
        db,
        'allowed /bin/true',
        (e) => e.containerName === NAME && e.path === '/bin/true' && e.verdict === 'allowed',
      );
    } finally {
      assert.equal(await w.stop(), 0, w.stderr());
    }
  });

  it('kill: a drift exec of uid 1000 is killed before it runs', async () => {
    const w = await watch('kill');
    try {
      assertFullStart(w);
      const r = docker(engine.host, ['exec', '-u', '1000', NAME, '/home/u/y', 'true']);
      assert.equal(r.status, 137, `drift exec of uid 1000 in kill mode: ${r.stderr}`);
      await waitForEvents(db, 'kill', (e) => e.path === '/home/u/y' && e.verdict === 'killed');
    } finally {
      assert.equal(await w.stop(), 0, w.stderr());
    }
  });

  it('gVisor: runsc trace, which watch spawns, works under the same limits', async () => {
    engine.docker([
      'run',
      '-d',
      '--name',
      GVISOR,
      '--runtime',
      'runsc',
      '--network',
      'none',
      BUSYBOX_IMAGE,
      'sleep',
      '100000',
    ]);
    const w = await watch('alert', GVISOR);
    try {
      assertFullStart(w);
      const [note] = await waitForEvents(
        db,
        'traced',
        (e) => e.containerName === GVISOR && e.kind === 'container',
      );
      assert.match(note?.message ?? '', /observed through runsc trace/);
      engine.docker(['exec', GVISOR, 'sh', '-c', '/bin/true; /bin/echo traced']);
      await waitForEvents(
        db,
        '/bin/echo from the sandbox',
        (e) => e.containerName === GVISOR && e.path === '/bin/echo' && e.detail['source'] === 'runsc-trace',
      );
    } finally {
      assert.equal(await w.stop(), 0, w.stderr());
    }
  });
});
