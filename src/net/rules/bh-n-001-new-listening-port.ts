// BH-N-001: a container listens on a port its learned profile does not have (a backdoor or a changed service).
import { A, LEARNED, NETWORKS } from './fixtures.js';
import { docsUrl, type NetRule, type NetRuleCase, type NetRuleContext } from './context.js';

const cases: readonly NetRuleCase[] = [
  {
    name: 'learned port',
    input: {
      kind: 'listen',
      container: A,
      listen: { container: A.id, containerName: A.name, proto: 'tcp', addr: '::', port: 8080 },
      section: LEARNED,
      networks: NETWORKS,
    },
    expect: null,
  },
  {
    name: 'new port',
    input: {
      kind: 'listen',
      container: A,
      listen: { container: A.id, containerName: A.name, proto: 'tcp', addr: '0.0.0.0', port: 4444 },
      section: LEARNED,
      networks: NETWORKS,
    },
    expect: 'net-a listens on tcp/4444',
  },
  {
    name: 'no profile yet (learning)',
    input: {
      kind: 'listen',
      container: A,
      listen: { container: A.id, containerName: A.name, proto: 'udp', addr: '0.0.0.0', port: 53 },
      section: undefined,
      networks: NETWORKS,
    },
    expect: null,
  },
];

export const rule: NetRule = {
  meta: {
    id: 'BH-N-001',
    aliases: [],
    severity: 'medium',
    title: 'Container listens on a port that is not in its profile',
    rationale:
      'A new listening socket in a running container is how bind shells and implants wait for their operator.',
    remediation:
      'Find the process that opened the port (watch events name it); if the port is legitimate, promote the learned profile.',
    references: [
      'https://attack.mitre.org/techniques/T1205/',
      'https://man7.org/linux/man-pages/man5/proc.5.html',
    ],
    docsUrl: docsUrl('BH-N-001'),
  },
  check: (ctx: NetRuleContext) => {
    if (ctx.kind !== 'listen' || ctx.section === undefined) return undefined;
    const { listen } = ctx;
    const known = ctx.section.listening.some(
      (e) => e.workload === ctx.container.workload && e.proto === listen.proto && e.port === listen.port,
    );
    return known
      ? undefined
      : {
          message: `${ctx.container.name} listens on ${listen.proto}/${listen.port} (${listen.addr}), not in its profile`,
        };
  },
  cases,
};
