// BH-H-004: no kernel module with a history of container-reachable exploits is loaded (no CIS item; modules
// that unprivileged user namespaces can auto-load and that distributions blacklist: CVE-2017-6074 dccp,
// CVE-2019-11815 rds, CVE-2021-23134 nfc, CVE-2017-2636 n_hdlc, CVE-2021-26708 vsock, CVE-2022-1015 nf_tables).
import { checkHost, ev, fail, pass, skip } from '../../check.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { on, kernel } from '../../cases/host.js';
import { known } from '../../../facts/index.js';
import { hostFacts } from '../../cases/facts.js';

export const RISKY_MODULES: Readonly<Record<string, string>> = {
  dccp: 'CVE-2017-6074 double free, CVE-2020-16119',
  dccp_ipv4: 'DCCP protocol',
  dccp_ipv6: 'DCCP protocol',
  sctp: 'CVE-2019-8956, CVE-2021-23133 races',
  rds: 'CVE-2019-11815, CVE-2010-3904',
  rds_tcp: 'RDS over TCP',
  tipc: 'CVE-2021-43267 heap overflow',
  n_hdlc: 'CVE-2017-2636 double free',
  ax25: 'obsolete amateur radio protocol',
  netrom: 'obsolete amateur radio protocol',
  rose: 'obsolete amateur radio protocol',
  x25: 'obsolete protocol',
  appletalk: 'obsolete protocol',
  ipx: 'obsolete protocol',
  nfc: 'CVE-2021-23134 use after free',
  can_bcm: 'CVE-2021-3609 race',
  vivid: 'CVE-2019-18683 test driver',
  floppy: 'CVE-2021-20261 race',
  cramfs: 'unmaintained filesystem',
  hfs: 'unmaintained filesystem',
  hfsplus: 'unmaintained filesystem',
  udf: 'rarely needed filesystem',
};

const cases: readonly AuditCase[] = [
  on('clean passes', hostFacts(), 'pass'),
  on('dccp loaded fails', kernel({ modules: known(['overlay', 'dccp', 'sctp'], '/proc/modules') }), 'fail', [
    '/proc/modules=["dccp","sctp"]',
  ]),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-H-004',
    aliases: [],
    severity: 'medium',
    title: 'No risky kernel modules are loaded',
    rationale:
      'Containers share the kernel: an obscure protocol or filesystem module with a history of memory-safety bugs is attack surface every container can reach through socket() or mount().',
    remediation:
      'Unload the modules (modprobe -r) and blacklist them: "install dccp /bin/false" in /etc/modprobe.d/.',
    references: ['https://www.cisecurity.org/benchmark/distribution_independent_linux'],
    docsUrl: 'docs/rules/audit.md#bh-h-004',
  },
  area: 'host',
  needs: 'host',
  check: checkHost((ctx) => {
    const modules = ctx.facts.host.kernel.modules;
    if (modules.state === 'unknown') return skip(modules.reason);
    const loaded = modules.value.filter((m) => m in RISKY_MODULES);
    return loaded.length > 0
      ? fail(
          `risky modules loaded: ${loaded.map((m) => `${m} (${RISKY_MODULES[m] ?? ''})`).join(', ')}`,
          ev(modules.source, loaded, 'none of them'),
        )
      : pass(
          `${modules.value.length} modules loaded, none risky`,
          ev(modules.source, `${modules.value.length} modules`),
        );
  }),
  cases,
};
