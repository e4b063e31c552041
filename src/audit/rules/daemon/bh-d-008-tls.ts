// BH-D-008: every TCP listener of the daemon requires TLS with client certificate verification
// (CIS 1.6.0 2.7, 1.8.0 2.8).
import { checkDaemon, ev, fail, pass, skip } from '../../check.js';
import { stringList } from '../../daemon-facts.js';
import { asBoolean, daemonSetting } from '../../daemon-setting.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { hostCase } from '../../cases/daemon.js';

const cases: readonly AuditCase[] = [
  hostCase('unix socket only passes', { host: ['fd://'] }, {}, 'pass'),
  hostCase('tcp without TLS fails', { host: ['fd://', 'tcp://0.0.0.0:2375'] }, {}, 'fail', [
    '--host=tcp://0.0.0.0:2375',
  ]),
  hostCase(
    'tcp on 127.0.0.1 without TLS fails',
    {},
    { hosts: ['unix:///run/docker.sock', 'tcp://127.0.0.1:2375'] },
    'fail',
    ['tcp://127.0.0.1:2375'],
  ),
  hostCase(
    'tcp with --tls but no --tlsverify fails',
    { host: ['tcp://0.0.0.0:2376'], tls: ['true'], tlscacert: ['/ca'], tlscert: ['/c'], tlskey: ['/k'] },
    {},
    'fail',
    ['--tlsverify not set'],
  ),
  hostCase(
    'tcp with tlsverify and files passes',
    {
      host: ['tcp://0.0.0.0:2376'],
      tlsverify: ['true'],
      tlscacert: ['/ca'],
      tlscert: ['/c'],
      tlskey: ['/k'],
    },
    {},
    'pass',
  ),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-D-008',
    aliases: ['CIS-1.6.0:2.7', 'CIS-1.8.0:2.8'],
    severity: 'critical',
    title: 'TCP listeners of the daemon require TLS client authentication',
    rationale:
      'The Docker API is root on the host: a TCP listener without --tlsverify lets anyone who reaches the port (any local user for 127.0.0.1) run privileged containers.',
    remediation:
      'Listen on the unix socket only, or set tlsverify with tlscacert, tlscert and tlskey for every tcp:// host.',
    references: ['https://docs.docker.com/engine/security/protect-access/'],
    docsUrl: 'docs/rules/audit.md#bh-d-008',
  },
  area: 'daemon',
  needs: 'host',
  check: checkDaemon((ctx) => {
    const hosts = daemonSetting(ctx.facts.host, 'host');
    if (hosts.state === 'unknown') return skip(hosts.reason);
    const tcp =
      hosts.state === 'set'
        ? stringList(hosts.setting.value).filter((h) => /^(tcp|https?):\/\//.test(h))
        : [];
    if (tcp.length === 0)
      return pass(
        'no TCP listener',
        hosts.state === 'set' ? hosts.evidence : ev('--host', 'unix socket only'),
      );
    const verify = daemonSetting(ctx.facts.host, 'tlsverify', 'true');
    const missing = ['tlscacert', 'tlscert', 'tlskey'].filter(
      (f) => daemonSetting(ctx.facts.host, f).state !== 'set',
    );
    const verified = verify.state === 'set' && asBoolean(verify.setting.value) === true;
    if (verified && missing.length === 0)
      return pass(
        `TCP listeners ${tcp.join(', ')} require client certificates`,
        hosts.state === 'set' ? hosts.evidence : ev('--host', tcp),
        verify.evidence,
      );
    return fail(
      `TCP listener ${tcp.join(', ')} without ${verified ? missing.map((m) => `--${m}`).join(', ') : 'client certificate verification (--tlsverify)'}`,
      hosts.state === 'set' ? hosts.evidence : ev('--host', tcp),
      verify.state === 'set' || verify.state === 'default'
        ? verify.evidence
        : ev('--tlsverify', 'unknown', 'true'),
    );
  }),
  cases,
};
