// BH-D-005: no insecure registry is configured beyond dockerd's built-in 127.0.0.0/8 (CIS 1.6.0 2.5, 1.8.0 2.5).
import { checkDaemon, ev, fail, pass, skip } from '../../check.js';
import { stringList } from '../../daemon-facts.js';
import { daemonSetting } from '../../daemon-setting.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { hostCase, engineCase, info } from '../../cases/daemon.js';

const cases: readonly AuditCase[] = [
  engineCase(
    'loopback only passes',
    info({
      RegistryConfig: {
        InsecureRegistryCIDRs: ['127.0.0.0/8'],
        IndexConfigs: { 'docker.io': { Name: 'docker.io', Secure: true } },
      },
    }),
    'pass',
  ),
  engineCase(
    'insecure index fails',
    info({
      RegistryConfig: {
        InsecureRegistryCIDRs: ['127.0.0.0/8'],
        IndexConfigs: { 'reg.local:5000': { Name: 'reg.local:5000', Secure: false } },
      },
    }),
    'fail',
    ['reg.local:5000'],
  ),
  engineCase(
    'insecure CIDR fails',
    info({ RegistryConfig: { InsecureRegistryCIDRs: ['127.0.0.0/8', '10.0.0.0/8'] } }),
    'fail',
    ['10.0.0.0/8'],
  ),
  hostCase('daemon.json insecure-registries fails', {}, { 'insecure-registries': ['myreg:5000'] }, 'fail', [
    '"insecure-registries": ["myreg:5000"]',
  ]),
  hostCase('none configured passes', {}, {}, 'pass'),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-D-005',
    aliases: ['CIS-1.6.0:2.5', 'CIS-1.8.0:2.5'],
    severity: 'high',
    title: 'No insecure registries are used',
    rationale:
      'An insecure registry is reached over plain HTTP or unverified TLS: anyone on the path can swap the images the host runs.',
    remediation:
      'Remove "insecure-registries" / --insecure-registry; give the registry a certificate (or trust its CA in /etc/docker/certs.d).',
    references: ['https://docs.docker.com/registry/insecure/'],
    docsUrl: 'docs/rules/audit.md#bh-d-005',
  },
  area: 'daemon',
  needs: 'both',
  check: checkDaemon((ctx) => {
    const engine = ctx.facts.engine;
    if (engine.state === 'known') {
      const reg = engine.value.info.RegistryConfig;
      const cidrs = (reg?.InsecureRegistryCIDRs ?? []).filter((c) => c !== '127.0.0.0/8' && c !== '::1/128');
      const indexes = Object.entries(reg?.IndexConfigs ?? {})
        .filter(([, v]) => v.Secure === false)
        .map(([k]) => k);
      const insecure = [...cidrs, ...indexes];
      if (insecure.length > 0)
        return fail(
          `insecure registries: ${insecure.join(', ')}`,
          ev(
            '/info RegistryConfig',
            { InsecureRegistryCIDRs: reg?.InsecureRegistryCIDRs ?? [], insecureIndexes: indexes },
            'only 127.0.0.0/8',
          ),
        );
      return pass(
        'no insecure registries',
        ev('/info RegistryConfig.InsecureRegistryCIDRs', reg?.InsecureRegistryCIDRs ?? []),
      );
    }
    const s = daemonSetting(ctx.facts.host, 'insecure-registry', '[]');
    if (s.state === 'unknown') return skip(s.reason);
    const list = s.state === 'set' ? stringList(s.setting.value) : [];
    return list.length > 0
      ? fail(`insecure registries: ${list.join(', ')}`, s.evidence)
      : pass('no insecure registries', s.evidence);
  }),
  cases,
};
