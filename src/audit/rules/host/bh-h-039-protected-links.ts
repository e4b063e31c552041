// BH-H-039: the fs.protected_* sysctls are on (no CIS item; admin-guide/sysctl/fs.rst protected_hardlinks,
// protected_symlinks, protected_fifos, protected_regular): they stop link and FIFO races in shared directories.
import { checkHost, ev, fail, pass, skip } from '../../check.js';
import { onHardening, sysctlEvidence, sysctlValue } from '../../hardening.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { sysctls, on } from '../../cases/hardening.js';

const KNOBS: readonly { name: string; safe: (v: string) => boolean; expected: string }[] = [
  { name: 'fs.protected_hardlinks', safe: (v) => v === '1', expected: '1' },
  { name: 'fs.protected_symlinks', safe: (v) => v === '1', expected: '1' },
  { name: 'fs.protected_fifos', safe: (v) => Number(v) >= 1, expected: '1 or 2' },
  { name: 'fs.protected_regular', safe: (v) => Number(v) >= 1, expected: '1 or 2' },
];

const cases: readonly AuditCase[] = [
  on('all on passes', {}, 'pass'),
  on('protected_symlinks 0 fails', { sysctls: sysctls({ 'fs.protected_symlinks': '0' }) }, 'fail', [
    'protected_symlinks=0',
  ]),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-H-039',
    aliases: [],
    severity: 'low',
    title: 'Hard link, symlink, FIFO and regular-file protections are on (fs.protected_*)',
    rationale:
      'Without them, a process that can write a world-writable sticky directory (/tmp, or a volume shared with a container) can redirect a privileged process through links and FIFOs it plants there: the symlink-race class behind several runtime escapes.',
    remediation:
      'sysctl -w fs.protected_hardlinks=1 fs.protected_symlinks=1 fs.protected_fifos=1 fs.protected_regular=2; persist in /etc/sysctl.d/.',
    references: ['https://docs.kernel.org/admin-guide/sysctl/fs.html'],
    docsUrl: 'docs/rules/audit.md#bh-h-039',
  },
  area: 'host',
  needs: 'host',
  check: checkHost(
    onHardening('sysctls', (sysctls) => {
      const seen = KNOBS.flatMap((k) => {
        const s = sysctlValue(sysctls, k.name);
        return s === undefined ? [] : [{ knob: k, s }];
      });
      if (seen.length === 0) return skip('the kernel exposes none of fs.protected_*');
      const weak = seen.filter(({ knob, s }) => !knob.safe(s.value ?? ''));
      if (weak.length === 0)
        return pass(
          `${seen.length} protections on`,
          ...seen.map(({ knob, s }) => sysctlEvidence(s, knob.expected)),
        );
      return fail(
        `off: ${weak.map(({ knob, s }) => `${knob.name} = ${s.value ?? ''}`).join(', ')}`,
        ...weak.map(({ knob, s }) => ev(s.source, s.value ?? '', knob.expected)),
      );
    }),
  ),
  cases,
};
