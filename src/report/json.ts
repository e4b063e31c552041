// JSON renderer: the Report document as stable, documented JSON (docs/json-schema.md), plus a summary.
import { summarize, type Report } from '../shared/report.js';

export interface JsonOptions {
  /** Drop passing and not-applicable outcomes. */
  readonly failuresOnly?: boolean;
}

export function renderJson(report: Report, options: JsonOptions = {}): string {
  const findings =
    options.failuresOnly === true
      ? report.findings.filter((f) => f.outcome.kind === 'fail')
      : report.findings;
  return `${JSON.stringify({ ...report, findings, summary: summarize(report.findings) }, null, 2)}\n`;
}
