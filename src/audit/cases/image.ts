// Shared inputs of the case tables for the image rules (BH-I-*).
import type { image } from './facts.js';
import { buildFacts, container } from './facts.js';
import { type AuditExpect, type AuditCase } from '../rule.js';

export const ID = 'sha256:' + 'b'.repeat(64);
export const withImage = (
  name: string,
  ref: string,
  img: ReturnType<typeof image>,
  outcome: AuditExpect['outcome'],
  evidence?: string[],
): AuditCase => ({
  name,
  facts: buildFacts({
    containers: [container('web', {}, { Image: img.Id, Config: { Image: ref } })],
    images: [img],
  }),
  expect: [{ target: ref, outcome, ...(evidence === undefined ? {} : { evidence }) }],
});
