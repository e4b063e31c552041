// systemd's own checks for the unit files the `install` commands write: `systemd-analyze verify` (Debian 12's
// systemd 252 loads the units offline, no running systemd needed; unknown keys are only warnings on stderr, so
// any stderr output fails) and the exposure score of `systemd-analyze security --offline`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

/** systemd-analyze verify on the files: exit 0 and nothing on stderr. */
export function verifyUnits(paths: readonly string[]): void {
  const r = spawnSync('systemd-analyze', ['verify', '--man=no', ...paths], { encoding: 'utf8' });
  assert.equal(
    r.error,
    undefined,
    'systemd-analyze is missing (Debian package systemd; scripts/install-deps.sh)',
  );
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr.trim(), '', `systemd-analyze verify warned:\n${r.stderr}`);
}

/** The overall exposure of `systemd-analyze security --offline` (0 best .. 10 worst). */
export function exposure(path: string): number {
  const r = spawnSync('systemd-analyze', ['security', '--offline=yes', '--no-pager', path], {
    encoding: 'utf8',
  });
  const m = /Overall exposure level for \S+: (\d+\.\d+)/.exec(r.stdout);
  assert.ok(m?.[1] !== undefined, `${r.stdout}\n${r.stderr}`);
  return Number(m[1]);
}
