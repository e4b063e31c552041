// The lint rules reference (docs/rules/lint.md) as data for report/rules-doc.ts: aliases (hadolint, Trivy,
// Checkov ids) as a column, and each rule's first invalid and valid case as the reported / not reported examples.
import type { RulesDocument, RulesDocumentBlock } from '../shared/rule.js';
import type { LintRule } from './rule.js';

function examples(rule: LintRule): RulesDocumentBlock[] {
  const invalid = rule.cases.invalid[0];
  const valid = rule.cases.valid[0];
  const blocks: RulesDocumentBlock[] = [];
  if (invalid !== undefined)
    blocks.push({ kind: 'example', label: 'Reported:', language: 'dockerfile', code: invalid.code });
  if (valid !== undefined)
    blocks.push({
      kind: 'example',
      label: 'Not reported:',
      language: 'dockerfile',
      code: typeof valid === 'string' ? valid : valid.code,
    });
  return blocks;
}

export function lintRulesDocument(rules: readonly LintRule[]): RulesDocument {
  return {
    title: 'Dockerfile lint rules',
    source: 'src/lint/rules/',
    intro: [
      'Aliases are the equivalent hadolint (DLxxxx), Trivy (DS-00xx) and Checkov (CKV_DOCKER_n) ids: ' +
        '`# hadolint ignore=DL3008` and `# bulkhead ignore=DS-0029` comments, and `ignore:` entries in the config, ' +
        'accept them.',
    ],
    columns: ['aliases'],
    groups: [
      {
        entries: rules.map((rule) => ({
          meta: rule.meta,
          cells: [rule.meta.aliases.join(', ')],
          blocks: examples(rule),
        })),
      },
    ],
  };
}
