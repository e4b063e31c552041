// JSON renderer: the Report document as stable, documented JSON (docs/json-schema.md), plus a summary. Written in
// chunks (json-stream.ts), so a report too large for one string still renders; the text is JSON.stringify's.
import { summarize, type Report } from '../shared/report.js';
import { jsonChunks, LazyJsonArray } from './json-stream.js';

export interface JsonOptions {
  /** Drop passing and not-applicable outcomes. */
  readonly failuresOnly?: boolean;
}

/** The report as JSON text in chunks of about 64 KiB (the root object and its findings are written one by one). */
export function* jsonReportChunks(report: Report, options: JsonOptions = {}): Generator<string> {
  const findings =
    options.failuresOnly === true ? new LazyJsonArray(() => failures(report)) : report.findings;
  yield* jsonChunks({ ...report, findings, summary: summarize(report.findings) }, 2);
  yield '\n';
}

function* failures(report: Report): Generator<Report['findings'][number]> {
  for (const f of report.findings) if (f.outcome.kind === 'fail') yield f;
}

export function renderJson(report: Report, options: JsonOptions = {}): string {
  return [...jsonReportChunks(report, options)].join('');
}
