// Picks a renderer by --format; the one place commands go through to turn a Report into text.
import { renderHtml } from './html.js';
import { jsonReportChunks, renderJson } from './json.js';
import type { Report } from '../shared/report.js';
import { renderSarif, sarifChunks } from './sarif.js';
import { renderScanTable } from './scan-table.js';
import { renderTable, type TableOptions } from './table.js';

export const FORMATS = ['table', 'json', 'sarif', 'html'] as const;
export type Format = (typeof FORMATS)[number];

export function renderReport(report: Report, format: Format, table: TableOptions): string {
  switch (format) {
    case 'table':
      // a scan's table groups by layer and package (scan-table.ts); every other command by its groupBy
      return report.command === 'scan' ? renderScanTable(report, table) : renderTable(report, table);
    case 'json':
      return renderJson(report);
    case 'sarif':
      return renderSarif(report);
    case 'html':
      return renderHtml(report, table.groupBy === undefined ? {} : { groupBy: table.groupBy });
    default:
      return format satisfies never;
  }
}

/**
 * The report as text in chunks, for writing: JSON and SARIF stream (no single string, bounded by the Report
 * itself), every other format is its renderReport text as one chunk.
 */
export function reportChunks(report: Report, format: Format, table: TableOptions): Iterable<string> {
  if (format === 'json') return jsonReportChunks(report);
  if (format === 'sarif') return sarifChunks(report);
  return [renderReport(report, format, table)];
}
