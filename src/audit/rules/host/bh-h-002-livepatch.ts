// BH-H-002: kernel live patching is in use (no CIS item; /sys/kernel/livepatch, kernel livepatch ABI).
import { checkHost, ev, fail, pass, skip } from '../../check.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { on, kernel } from '../../cases/host.js';
import { known, unknown } from '../../../facts/index.js';
import { hostFacts } from '../../cases/facts.js';

const cases: readonly AuditCase[] = [
  on('no patch fails', hostFacts(), 'fail'),
  on(
    'enabled patch passes',
    kernel({
      livepatch: known({ patches: [{ name: 'lp_6_1_0_18', enabled: true }] }, '/sys/kernel/livepatch'),
    }),
    'pass',
    ['lp_6_1_0_18'],
  ),
  on('unknown skips', kernel({ livepatch: unknown('no /sys') }), 'skip'),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-H-002',
    aliases: [],
    severity: 'info',
    title: 'Kernel live patching is in use',
    rationale:
      'Live patches close kernel holes between reboots, which matters on hosts that cannot reboot often.',
    remediation:
      'Enable a live-patch service (Ubuntu Livepatch, kpatch, KernelCare) or plan regular reboots.',
    references: ['https://docs.kernel.org/livepatch/livepatch.html'],
    docsUrl: 'docs/rules/audit.md#bh-h-002',
  },
  area: 'host',
  needs: 'host',
  check: checkHost((ctx) => {
    const lp = ctx.facts.host.kernel.livepatch;
    if (lp.state === 'unknown') return skip(lp.reason);
    const enabled = lp.value.patches.filter((p) => p.enabled);
    return enabled.length > 0
      ? pass(
          `live patches: ${enabled.map((p) => p.name).join(', ')}`,
          ev(
            lp.source,
            enabled.map((p) => p.name),
          ),
        )
      : fail(
          'no live patch loaded',
          ev(
            lp.source,
            lp.value.patches.map((p) => `${p.name}${p.enabled ? '' : ' (disabled)'}`),
            'an enabled patch',
          ),
        );
  }),
  cases,
};
