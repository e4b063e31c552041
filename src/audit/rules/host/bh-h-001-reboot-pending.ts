// BH-H-001: the running kernel is the newest installed one and no reboot is pending (no CIS item; kernel
// fixes only protect containers after a reboot into the patched kernel).
import { type HostFacts, known, unknown } from '../../../facts/index.js';
import { checkHost, ev, fail, pass, skip } from '../../check.js';
import { compareKernelReleases } from '../../kernel-release.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { on, kernel } from '../../cases/host.js';
import { hostFacts } from '../../cases/facts.js';

type KernelPackage = Extract<HostFacts['kernel']['installed'], { state: 'known' }>['value'][number];

/** "6.1.0-18-amd64" -> "amd64", "6.1.0-21-cloud-amd64" -> "cloud-amd64": only the flavour that boots matters. */
function flavour(release: string): string {
  return /^\d+(?:\.\d+)*-\d+-(.+)$/.exec(release)?.[1] ?? /-([a-z][\w-]*)$/i.exec(release)?.[1] ?? '';
}

const cases: readonly AuditCase[] = [
  on('running the only kernel passes', hostFacts(), 'pass'),
  on(
    'newer kernel package installed fails',
    kernel({
      installed: known(
        [
          { name: 'linux-image-6.1.0-18-amd64', version: '6.1.76-1', release: '6.1.0-18-amd64' },
          { name: 'linux-image-6.1.0-21-amd64', version: '6.1.90-1', release: '6.1.0-21-amd64' },
        ],
        '/var/lib/dpkg/status',
      ),
    }),
    'fail',
    ['linux-image-6.1.0-21-amd64=6.1.90-1'],
  ),
  on(
    'older kernel still installed passes',
    kernel({
      installed: known(
        [
          { name: 'linux-image-6.1.0-10-amd64', release: '6.1.0-10-amd64' },
          { name: 'linux-image-6.1.0-18-amd64', release: '6.1.0-18-amd64' },
        ],
        '/boot',
      ),
    }),
    'pass',
  ),
  on(
    'other flavour ignored',
    kernel({
      installed: known(
        [
          { name: 'linux-image-6.1.0-21-cloud-amd64', release: '6.1.0-21-cloud-amd64' },
          { name: 'x', release: '6.1.0-18-amd64' },
        ],
        '/boot',
      ),
    }),
    'pass',
  ),
  on(
    'reboot-required marker fails',
    kernel({
      rebootRequired: known(
        { required: true, packages: ['linux-image-6.1.0-21-amd64'] },
        '/run/reboot-required',
      ),
    }),
    'fail',
    ['/run/reboot-required=present'],
  ),
  on('unknown release skips', kernel({ release: unknown('no /proc under the root') }), 'skip'),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-H-001',
    aliases: [],
    severity: 'high',
    title: 'The running kernel is the newest installed (no reboot pending)',
    rationale:
      'Containers share the host kernel: a kernel update protects them only once the host boots it. A newer installed kernel means known kernel bugs are still live.',
    remediation: 'Reboot into the newest installed kernel (or apply live patches for the running one).',
    references: ['https://www.debian.org/security/', 'https://ubuntu.com/security/livepatch'],
    docsUrl: 'docs/rules/audit.md#bh-h-001',
  },
  area: 'host',
  needs: 'host',
  check: checkHost((ctx) => {
    const k = ctx.facts.host.kernel;
    if (k.release.state === 'unknown') return skip(`running kernel unknown: ${k.release.reason}`);
    const running = k.release.value;
    const runningEv = ev(k.release.source, running);
    if (k.rebootRequired.state === 'known' && k.rebootRequired.value.required)
      return fail(
        `reboot required${k.rebootRequired.value.packages.length > 0 ? ` by ${k.rebootRequired.value.packages.join(', ')}` : ''}`,
        ev(k.rebootRequired.source, 'present', 'absent'),
        runningEv,
      );
    if (k.installed.state === 'unknown')
      return skip(`installed kernels unknown: ${k.installed.reason}`, runningEv);
    const newer = k.installed.value.filter(
      (p: KernelPackage) =>
        flavour(p.release) === flavour(running) && compareKernelReleases(p.release, running) > 0,
    );
    if (newer.length > 0)
      return fail(
        `running ${running} but ${newer.map((p) => p.release).join(', ')} is installed: reboot pending`,
        runningEv,
        ...newer.map((p) =>
          ev(
            `${k.installed.state === 'known' ? k.installed.source : ''}: ${p.name}`,
            p.version ?? p.release,
            `not newer than ${running}`,
          ),
        ),
      );
    return pass(`running ${running}, the newest installed kernel`, runningEv);
  }),
  cases,
};
