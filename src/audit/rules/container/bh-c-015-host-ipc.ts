// BH-C-015: the container does not share the host's IPC namespace (CIS 1.6.0 5.16, 1.8.0 5.17).
import { checkContainers, ev, fail, pass } from '../../check.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { one } from '../../cases/container.js';
import { container } from '../../cases/facts.js';

const cases: readonly AuditCase[] = [
  one('private passes', container('web'), 'pass'),
  one('ipc host fails', container('web', { IpcMode: 'host' }), 'fail', ['HostConfig.IpcMode=host']),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-C-015',
    aliases: ['CIS-1.6.0:5.16', 'CIS-1.8.0:5.17'],
    severity: 'high',
    title: "Container does not share the host's IPC namespace",
    rationale:
      'With --ipc host the container shares System V IPC and POSIX shared memory with host processes and can read or corrupt their segments.',
    remediation: 'Drop --ipc host; use --ipc shareable / container:NAME between cooperating containers.',
    references: ['https://docs.docker.com/engine/reference/run/'],
    docsUrl: 'docs/rules/audit.md#bh-c-015',
  },
  area: 'container',
  needs: 'engine',
  check: checkContainers((c) => {
    const mode = c.HostConfig?.IpcMode ?? '';
    if (mode === 'host')
      return fail("shares the host's IPC namespace", ev('HostConfig.IpcMode', mode, 'not host'));
    return pass(
      mode === '' ? 'own IPC namespace' : `IPC namespace mode ${mode}`,
      ev('HostConfig.IpcMode', mode === '' ? '(default)' : mode),
    );
  }),
  cases,
};
