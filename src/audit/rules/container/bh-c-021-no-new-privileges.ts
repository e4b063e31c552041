// BH-C-021: the container cannot gain privileges through setuid binaries (no-new-privileges), set on the
// container or as the daemon default (CIS 1.6.0 5.25, 1.8.0 5.26).
import { checkContainers, ev, fail, pass, skip } from '../../check.js';
import { securityOptsOf } from '../../container-facts.js';
import { asBoolean, daemonSetting } from '../../daemon-setting.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { one } from '../../cases/container.js';
import { container, daemonHost, hostFacts } from '../../cases/facts.js';

const cases: readonly AuditCase[] = [
  one('unset with an unknown daemon command line skips', container('web'), 'skip', [], {
    host: hostFacts({ dockerd: { state: 'unknown', reason: 'no dockerd under the root' } }),
  }),
  one('unset fails', container('web'), 'fail'),
  one('no-new-privileges passes', container('web', { SecurityOpt: ['no-new-privileges'] }), 'pass'),
  one('no-new-privileges:true passes', container('web', { SecurityOpt: ['no-new-privileges:true'] }), 'pass'),
  one(
    'no-new-privileges=false fails',
    container('web', { SecurityOpt: ['no-new-privileges=false'] }),
    'fail',
  ),
  one('daemon default passes', container('web'), 'pass', ['"no-new-privileges": true'], {
    host: daemonHost({}, { 'no-new-privileges': true }),
  }),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-C-021',
    aliases: ['CIS-1.6.0:5.25', 'CIS-1.8.0:5.26'],
    severity: 'medium',
    title: 'Container runs with no-new-privileges',
    rationale:
      'Without no-new-privileges a process can regain privileges through setuid or file-capability binaries in the image.',
    remediation:
      'Start with --security-opt no-new-privileges, or set "no-new-privileges": true in daemon.json.',
    references: ['https://docs.docker.com/engine/reference/run/#security-configuration'],
    docsUrl: 'docs/rules/audit.md#bh-c-021',
  },
  area: 'container',
  needs: 'both',
  check: checkContainers((c, ctx) => {
    const opts = securityOptsOf(c);
    if (opts.noNewPrivileges === true)
      return pass('no-new-privileges set on the container', ev('HostConfig.SecurityOpt', opts.raw));
    if (opts.noNewPrivileges === false)
      return fail(
        'no-new-privileges explicitly disabled',
        ev('HostConfig.SecurityOpt', opts.raw, 'no-new-privileges'),
      );
    const daemon = daemonSetting(ctx.facts.host, 'no-new-privileges', 'true');
    if (daemon.state === 'set' && asBoolean(daemon.setting.value) === true)
      return pass('no-new-privileges is the daemon default', daemon.evidence);
    if (daemon.state === 'unknown')
      return skip(
        `not set on the container, and the daemon default is unknown (${daemon.reason})`,
        ev('HostConfig.SecurityOpt', opts.raw),
      );
    return fail(
      'no-new-privileges not set',
      ev('HostConfig.SecurityOpt', opts.raw, 'no-new-privileges'),
      daemon.evidence,
    );
  }),
  cases,
};
