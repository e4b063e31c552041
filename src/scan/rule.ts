// The image-configuration rule contract: one rule per file under rules/, metadata plus a check over ImageFacts
// (DESIGN.md "One rule = one file"). Rules never read files or call Docker; they only look at facts.
import type { ImageFacts } from '../image/types.js';
import type { Rule, RuleMeta } from '../shared/rule.js';
import type { Evidence, Finding, LayerRef, Outcome } from '../shared/finding.js';

export { redact } from '../image/secrets.js';

/** One row of an image rule's case table (test/scan/rules.test.ts runs every table). */
export interface ImageCase {
  readonly name: string;
  readonly facts: ImageFacts;
  /** Expected failing messages (substring match), in order; [] means the rule passes or does not apply. */
  readonly fails: readonly string[];
  readonly outcome?: 'pass' | 'skip' | 'not-applicable';
}

/**
 * The one rule model (shared/rule.ts) for image configuration: `check` returns failures, or one pass /
 * not-applicable finding when there is nothing to report; `cases` is its valid/invalid table.
 */
export interface ImageRule extends Rule<ImageFacts, Finding[], readonly ImageCase[]> {
  readonly meta: RuleMeta;
}

export interface FindingParts {
  readonly message: string;
  readonly evidence: readonly Evidence[];
  readonly outcome?: Outcome;
  readonly layer?: LayerRef | undefined;
  readonly path?: string | undefined;
  readonly severity?: RuleMeta['severity'];
}

export function imageFinding(rule: RuleMeta, facts: ImageFacts, parts: FindingParts): Finding {
  return {
    ruleId: rule.id,
    aliases: rule.aliases,
    severity: parts.severity ?? rule.severity,
    title: rule.title,
    message: parts.message,
    outcome: parts.outcome ?? { kind: 'fail' },
    evidence: parts.evidence,
    target: {
      kind: 'image',
      ref: facts.ref,
      ...(facts.id === undefined ? {} : { id: facts.id }),
      ...(parts.layer === undefined ? {} : { layer: parts.layer }),
      ...(parts.path === undefined ? {} : { path: `/${parts.path}` }),
    },
    remediation: rule.remediation,
    references: rule.references,
  };
}

export function passFinding(rule: RuleMeta, facts: ImageFacts, message: string): Finding {
  return imageFinding(rule, facts, { message, evidence: [], outcome: { kind: 'pass' } });
}

export function notApplicable(rule: RuleMeta, facts: ImageFacts, reason: string): Finding {
  return imageFinding(rule, facts, {
    message: reason,
    evidence: [],
    outcome: { kind: 'not-applicable', reason },
  });
}

/** The layer an entry of the history belongs to (empty_layer entries own none). */
export function layerOfHistory(facts: ImageFacts, historyIndex: number): LayerRef | undefined {
  const entry = facts.history[historyIndex];
  if (entry === undefined || entry.emptyLayer) return undefined;
  const layerIndex = facts.history.slice(0, historyIndex).filter((h) => !h.emptyLayer).length;
  const layer = facts.layers[layerIndex];
  return layer === undefined
    ? undefined
    : {
        index: layer.index,
        digest: layer.digest,
        ...(layer.createdBy === undefined ? {} : { createdBy: layer.createdBy }),
      };
}
