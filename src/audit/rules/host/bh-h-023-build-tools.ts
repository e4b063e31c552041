// BH-H-023: no compilers or package build tools on the container host (no CIS item; NIST SP 800-190 §4.5.2).
import { checkHost, ev, fail, pass } from '../../check.js';
import { onHardening } from '../../hardening.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { on } from '../../cases/hardening.js';
import { known } from '../../../facts/index.js';

const cases: readonly AuditCase[] = [
  on('no build tools passes', {}, 'pass'),
  on('gcc and make fail', { buildTools: known(['/usr/bin/gcc', '/usr/bin/make'], 'binaries') }, 'fail', [
    '/usr/bin/gcc=present',
  ]),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-H-023',
    aliases: [],
    severity: 'low',
    title: 'No compilers or package build tools are installed on the host',
    rationale:
      'Images are built elsewhere; a compiler on the host lets an intruder who escaped a container build kernel exploits and tools in place instead of bringing them.',
    remediation:
      'Remove gcc/clang/make/rpmbuild/dpkg-dev and language toolchains from the host (apt purge build-essential; dnf remove gcc make rpm-build); build in CI or in containers.',
    references: ['https://nvlpubs.nist.gov/nistpubs/SpecialPublications/NIST.SP.800-190.pdf'],
    docsUrl: 'docs/rules/audit.md#bh-h-023',
  },
  area: 'host',
  needs: 'host',
  check: checkHost(
    onHardening('buildTools', (tools, source) =>
      tools.length === 0
        ? pass('no compiler or build tool found', ev(source, 'none'))
        : fail(
            `build tools installed on the host: ${tools.join(', ')}`,
            ...tools.map((t) => ev(t, 'present', 'absent')),
          ),
    ),
  ),
  cases,
};
