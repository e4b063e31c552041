// SARIF 2.1.0 renderer (OASIS SARIF v2.1.0 §3): one run, rules from the report, one result per failure. The
// results are mapped from the findings as they are written (json-stream.ts), so the document is never one string.
import { isFailure, type Finding, type Target } from '../shared/finding.js';
import type { Severity } from '../shared/severity.js';
import { TOOL_URI } from '../shared/version.js';
import type { Report } from '../shared/report.js';
import type { RuleMeta } from '../shared/rule.js';
import { jsonChunks, LazyJsonArray } from './json-stream.js';

const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

/** SARIF levels (§3.27.10); GitHub code scanning maps security-severity for ordering. */
function levelOf(severity: Severity): 'error' | 'warning' | 'note' {
  switch (severity) {
    case 'critical':
    case 'high':
      return 'error';
    case 'medium':
      return 'warning';
    case 'low':
    case 'info':
      return 'note';
    default:
      return severity satisfies never;
  }
}

const SECURITY_SEVERITY: Readonly<Record<Severity, string>> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '2.0',
  info: '0.0',
};

function locationOf(target: Target): Record<string, unknown> {
  if (target.kind === 'file') {
    return {
      physicalLocation: {
        artifactLocation: { uri: target.path },
        region: {
          startLine: Math.max(1, target.line),
          startColumn: Math.max(1, target.column),
          ...(target.endLine === undefined ? {} : { endLine: target.endLine }),
          ...(target.endColumn === undefined ? {} : { endColumn: target.endColumn }),
        },
      },
    };
  }
  const name = (() => {
    switch (target.kind) {
      case 'host':
        return `host:${target.root}`;
      case 'daemon':
        return `daemon:${target.address}`;
      case 'container':
        return `container:${target.name}`;
      case 'image':
        return target.path === undefined ? `image:${target.ref}` : `image:${target.ref}:${target.path}`;
      case 'package':
        return `${target.image}:${target.ecosystem}:${target.name}@${target.version}`;
      default:
        return target satisfies never;
    }
  })();
  return { logicalLocations: [{ name, kind: target.kind === 'package' ? 'package' : 'resource' }] };
}

function ruleOf(rule: RuleMeta): Record<string, unknown> {
  return {
    id: rule.id,
    name: rule.id,
    shortDescription: { text: rule.title },
    fullDescription: { text: rule.rationale === '' ? rule.title : rule.rationale },
    help: { text: rule.remediation },
    helpUri: rule.references[0],
    defaultConfiguration: { level: levelOf(rule.severity) },
    properties: {
      tags: ['security', ...rule.aliases],
      'security-severity': SECURITY_SEVERITY[rule.severity],
    },
  };
}

/** Rules that produced results but are not in the report's rule list get a descriptor from the finding. */
function descriptorFromFinding(finding: Finding): RuleMeta {
  return {
    id: finding.ruleId,
    title: finding.title,
    severity: finding.severity,
    aliases: finding.aliases,
    rationale: '',
    remediation: finding.remediation,
    references: finding.references,
    docsUrl: finding.references[0] ?? '',
  };
}

function* resultsOf(
  report: Report,
  ruleIndex: ReadonlyMap<string, number>,
): Generator<Record<string, unknown>> {
  for (const finding of report.findings) {
    if (!isFailure(finding)) continue;
    yield {
      ruleId: finding.ruleId,
      ruleIndex: ruleIndex.get(finding.ruleId) ?? -1,
      level: levelOf(finding.severity),
      message: { text: finding.message },
      locations: [locationOf(finding.target)],
      properties: {
        severity: finding.severity,
        aliases: finding.aliases,
        evidence: finding.evidence,
        ...(finding.vulnerability === undefined ? {} : { vulnerability: finding.vulnerability }),
      },
    };
  }
}

function* notificationsOf(report: Report): Generator<Record<string, unknown>> {
  for (const d of report.diagnostics)
    yield { level: d.level, message: { text: `${d.subject}: ${d.message}` } };
}

function* rulesOf(rules: Iterable<RuleMeta>): Generator<Record<string, unknown>> {
  for (const rule of rules) yield ruleOf(rule);
}

/** The SARIF log as a document whose results array is produced while it is written. */
export function sarifDocument(report: Report): Record<string, unknown> {
  const rules = new Map<string, RuleMeta>(report.rules.map((r) => [r.id, r]));
  for (const finding of report.findings)
    if (isFailure(finding) && !rules.has(finding.ruleId))
      rules.set(finding.ruleId, descriptorFromFinding(finding));
  const ruleIndex = new Map([...rules.keys()].map((id, index) => [id, index]));
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: report.tool.name,
            version: report.tool.version,
            informationUri: TOOL_URI,
            rules: new LazyJsonArray(() => rulesOf(rules.values())),
          },
        },
        results: new LazyJsonArray(() => resultsOf(report, ruleIndex)),
        invocations: [
          {
            executionSuccessful: !report.diagnostics.some((d) => d.level === 'error'),
            toolExecutionNotifications: new LazyJsonArray(() => notificationsOf(report)),
          },
        ],
      },
    ],
  };
}

/** The SARIF log as text in chunks of about 64 KiB (rules, results and notifications one element at a time). */
export function* sarifChunks(report: Report): Generator<string> {
  yield* jsonChunks(sarifDocument(report), 5);
  yield '\n';
}

export function renderSarif(report: Report): string {
  return [...sarifChunks(report)].join('');
}
