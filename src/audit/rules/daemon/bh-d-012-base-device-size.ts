// BH-D-012: the devicemapper base device size is left at its default (CIS 1.6.0 2.11, 1.8.0 2.12).
import { checkDaemon, fail, pass, skip } from '../../check.js';
import { stringList } from '../../daemon-facts.js';
import { daemonSetting } from '../../daemon-setting.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { hostCase } from '../../cases/daemon.js';

const cases: readonly AuditCase[] = [
  hostCase('default passes', {}, {}, 'pass'),
  hostCase('dm.basesize fails', {}, { 'storage-opts': ['dm.basesize=50G'] }, 'fail', ['dm.basesize=50G']),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-D-012',
    aliases: ['CIS-1.6.0:2.11', 'CIS-1.8.0:2.12'],
    severity: 'low',
    title: 'Base device size is not changed',
    rationale:
      'Raising dm.basesize lets every container grow its filesystem further, which can fill the host disk.',
    remediation: 'Remove dm.basesize from --storage-opt / "storage-opts" unless needed.',
    references: ['https://docs.docker.com/reference/cli/dockerd/#storage-driver-options'],
    docsUrl: 'docs/rules/audit.md#bh-d-012',
  },
  area: 'daemon',
  needs: 'host',
  check: checkDaemon((ctx) => {
    const s = daemonSetting(ctx.facts.host, 'storage-opt', 'no dm.basesize');
    if (s.state === 'unknown') return skip(s.reason);
    const basesize =
      s.state === 'set' ? stringList(s.setting.value).find((o) => o.startsWith('dm.basesize')) : undefined;
    return basesize === undefined
      ? pass('base device size unchanged', s.evidence)
      : fail(`base device size changed (${basesize})`, s.evidence);
  }),
  cases,
};
