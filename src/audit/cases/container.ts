// Shared inputs of the case tables for the container rules (BH-C-*): each rule has at least one failing and one passing case.
import { buildFacts, container, engineFacts, hostFacts } from './facts.js';
import { type AuditCase } from '../rule.js';

export const one = (
  name: string,
  c: ReturnType<typeof container>,
  outcome: AuditCase['expect'][number]['outcome'],
  evidence?: string[],
  extra: Parameters<typeof buildFacts>[0] = {},
): AuditCase => ({
  name,
  facts: buildFacts({ ...extra, containers: [c] }),
  expect: [{ target: c.Name.slice(1), outcome, ...(evidence === undefined ? {} : { evidence }) }],
});

export const privileged = container('priv', { Privileged: true, Runtime: 'runsc' });
export const noAppArmor = engineFacts({ security: ['name=seccomp,profile=default'] });
export const selinuxEngine = engineFacts({ security: ['name=selinux', 'name=seccomp,profile=default'] });
export const selinuxHost = hostFacts({
  lsm: {
    active: { state: 'known', value: ['selinux'], source: 'lsm' },
    apparmor: { state: 'known', value: { enabled: false }, source: 'x' },
    selinux: { state: 'known', value: { mode: 'enforcing' }, source: '/sys/fs/selinux/enforce' },
  },
});
