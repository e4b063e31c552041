// Table renderer: findings grouped under headings chosen by the command, then a one-line summary.
import { describeTarget, type Finding } from '../shared/finding.js';
import { SEVERITIES } from '../shared/severity.js';
import { summarize, type Report } from '../shared/report.js';
import { bold, dim, paintSeverity, truncate, type TextStyle } from './text.js';
import { renderColumns } from '../shared/columns.js';

export interface TableGroup {
  readonly heading: string;
  readonly rank: number;
}

export interface TableOptions extends TextStyle {
  /** Heading and rank of each finding's group: groups are shown by rank, then in the order they first appear. */
  readonly groupBy?: (finding: Finding) => TableGroup;
  /** Show passing, skipped and not-applicable checks too (audit --verbose). */
  readonly showAll?: boolean;
  /** Maximum width of the message column. */
  readonly width?: number;
}

function outcomeLabel(finding: Finding): string {
  switch (finding.outcome.kind) {
    case 'pass':
      return 'PASS';
    case 'fail':
      return 'FAIL';
    case 'skip':
      return 'SKIP';
    case 'not-applicable':
      return 'N/A';
    default:
      return finding.outcome satisfies never;
  }
}

function messageOf(finding: Finding): string {
  if (finding.outcome.kind === 'skip' || finding.outcome.kind === 'not-applicable')
    return finding.outcome.reason;
  const evidence = finding.evidence[0];
  return evidence === undefined
    ? finding.message
    : `${finding.message} [${evidence.source}=${evidence.value}]`;
}

/** A file finding under its own file's heading shows only line:column; long labels keep their end (the position). */
function targetLabel(finding: Finding, heading: string): string {
  const { target } = finding;
  if (target.kind === 'file' && target.path === heading) return `${target.line}:${target.column}`;
  const label = describeTarget(target).replace(/\s+/g, ' ');
  return label.length <= 40 ? label : `…${label.slice(label.length - 39)}`;
}

export function renderTable(report: Report, options: TableOptions): string {
  const shown =
    options.showAll === true ? report.findings : report.findings.filter((f) => f.outcome.kind === 'fail');
  const width = options.width ?? 100;
  const groups = new Map<string, Finding[]>();
  const ranks = new Map<string, number>();
  for (const finding of shown) {
    const { heading, rank } = options.groupBy?.(finding) ?? {
      heading: describeTarget(finding.target),
      rank: 0,
    };
    const group = groups.get(heading) ?? [];
    group.push(finding);
    groups.set(heading, group);
    if (!ranks.has(heading)) ranks.set(heading, rank);
  }
  const rank = (heading: string): number => ranks.get(heading) ?? 0;
  const ordered = [...groups]
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => rank(a.entry[0]) - rank(b.entry[0]) || a.index - b.index);
  const out: string[] = [];
  for (const {
    entry: [heading, findings],
  } of ordered) {
    out.push(bold(heading, options));
    const rows = findings.map((f) => [
      ...(options.showAll === true ? [outcomeLabel(f)] : []),
      paintSeverity(f.severity, f.severity.toUpperCase(), options),
      f.ruleId,
      targetLabel(f, heading),
      truncate(messageOf(f), width),
    ]);
    out.push(
      renderColumns(
        [...(options.showAll === true ? ['RESULT'] : []), 'SEVERITY', 'RULE', 'TARGET', 'DETAIL'],
        rows,
        '  ',
      ),
    );
    out.push('');
  }
  for (const diagnostic of report.diagnostics)
    out.push(dim(`${diagnostic.level}: ${diagnostic.subject}: ${diagnostic.message}`, options));
  const summary = summarize(report.findings);
  const failures = SEVERITIES.map((s) => `${summary.failuresBySeverity[s]} ${s}`).join(', ');
  out.push(
    `${report.command}: ${summary.byOutcome.fail} failed (${failures}), ${summary.byOutcome.pass} passed, ${summary.byOutcome.skip} skipped, ${summary.byOutcome['not-applicable']} not applicable`,
  );
  return `${out.join('\n')}\n`;
}
