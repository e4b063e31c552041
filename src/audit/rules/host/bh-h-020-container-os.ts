// BH-H-020: the host runs a container-optimised OS (no CIS item; CIS Docker Benchmark 1.2 "harden the container
// host", NIST SP 800-190 §4.5.1 "use container-specific host OSs").
import { checkHost, ev, fail, pass } from '../../check.js';
import { onHardening } from '../../hardening.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { on, notCollected } from '../../cases/hardening.js';
import { known, unknown } from '../../../facts/index.js';

const cases: readonly AuditCase[] = [
  on('Flatcar passes', {}, 'pass'),
  on(
    'Debian fails low',
    { os: known({ id: 'debian', name: 'Debian GNU/Linux 12 (bookworm)' }, '/etc/os-release') },
    'fail',
    ['ID=debian'],
  ),
  on(
    'Fedora CoreOS passes',
    {
      os: known(
        {
          id: 'fedora',
          variantId: 'coreos',
          name: 'Fedora CoreOS 41',
          containerOptimized: 'fedora-coreos',
        },
        '/etc/os-release',
      ),
    },
    'pass',
  ),
  on('no os-release skips', { os: unknown('no /etc/os-release') }, 'skip'),
  notCollected,
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-H-020',
    aliases: [],
    severity: 'low',
    title: 'The host runs a container-optimised operating system',
    rationale:
      'Every package and service on the host is attack surface shared by all containers. Container-optimised systems (Bottlerocket, Flatcar, Fedora CoreOS, Talos) ship a read-only, minimal base that updates as a whole.',
    remediation:
      'Where you can, run containers on Bottlerocket, Flatcar, Fedora CoreOS or Talos; otherwise keep the general-purpose host minimal (the other BH-H rules say what to remove).',
    references: ['https://nvlpubs.nist.gov/nistpubs/SpecialPublications/NIST.SP.800-190.pdf'],
    docsUrl: 'docs/rules/audit.md#bh-h-020',
  },
  area: 'host',
  needs: 'host',
  check: checkHost(
    onHardening('os', (os, source) =>
      os.containerOptimized === undefined
        ? fail(
            `${os.name} is a general-purpose distribution: everything it installs beyond the container runtime is attack surface`,
            ev(source, `ID=${os.id}${os.variantId === undefined ? '' : ` VARIANT_ID=${os.variantId}`}`),
          )
        : pass(
            `${os.name} is a container-optimised OS (${os.containerOptimized})`,
            ev(source, `ID=${os.id}`),
          ),
    ),
  ),
  cases,
};
