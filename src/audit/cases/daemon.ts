// Shared inputs of the case tables for the daemon rules (BH-D-*): flags, daemon.json forms and Engine API answers.
import { unknown, type EngineFacts } from '../../facts/index.js';
import { buildFacts, daemonHost, engineFacts, hostFacts } from './facts.js';
import { type AuditExpect, type AuditCase } from '../rule.js';

export const daemon = (
  outcome: AuditExpect['outcome'],
  evidence?: string[],
  message?: string,
): AuditExpect[] => [
  {
    target: 'daemon',
    outcome,
    ...(evidence === undefined ? {} : { evidence }),
    ...(message === undefined ? {} : { message }),
  },
];
export const hostCase = (
  name: string,
  flags: Record<string, string[]>,
  config: Record<string, unknown> | undefined,
  outcome: AuditExpect['outcome'],
  evidence?: string[],
): AuditCase => ({
  name,
  facts: buildFacts({ host: daemonHost(flags, config), engine: null }),
  expect: daemon(outcome, evidence),
});
export const engineCase = (
  name: string,
  engine: EngineFacts,
  outcome: AuditExpect['outcome'],
  evidence?: string[],
): AuditCase => ({
  name,
  facts: buildFacts({ engine }),
  expect: daemon(outcome, evidence),
});
export const unknownFlags = hostFacts({ dockerd: unknown('no dockerd process under the root') });
export const info = (extra: Partial<EngineFacts['info']>): EngineFacts => {
  const e = engineFacts();
  return { ...e, info: { ...e.info, ...extra } };
};
