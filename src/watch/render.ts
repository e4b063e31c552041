// Renderers for `bulkhead watch events` and `watch status` (a table, JSON), and the events as a shared Report
// (one finding per event a rule decided) that report/'s SARIF renderer turns into SARIF 2.1.0.
import { WATCH_RULES } from './rules/index.js';
import type { StoredEvent } from './store.js';
import type { WatchStatus } from './watcher.js';
import { createReport, type Report } from '../shared/report.js';
import type { Finding } from '../shared/finding.js';

function pad(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function what(e: StoredEvent): string {
  if (e.kind === 'exec') return [e.path ?? '', ...e.argv.slice(1)].join(' ');
  return e.path ?? e.message;
}

export function renderEventsTable(events: readonly StoredEvent[]): string {
  if (events.length === 0) return 'no events\n';
  const rows = [
    ['TIME', 'CONTAINER', 'KIND', 'VERDICT', 'RULE', 'PID', 'UID', 'WHAT'],
    ...events.map((e) => [
      e.time.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
      e.containerName ?? e.containerId?.slice(0, 12) ?? '-',
      e.kind,
      e.verdict,
      e.ruleId ?? '-',
      e.pid === null ? '-' : String(e.pid),
      e.uid === null ? '-' : String(e.uid),
      (e.kind === 'exec' ? what(e) : e.message).slice(0, 100),
    ]),
  ];
  return `${pad(rows)}\n`;
}

export function renderEventsJson(events: readonly StoredEvent[]): string {
  return `${JSON.stringify(events, null, 2)}\n`;
}

/** The events a rule decided as a Report, for the SARIF renderer. */
export function eventsReport(events: readonly StoredEvent[]): Report {
  const meta = new Map(WATCH_RULES.map((r) => [r.meta.id, r.meta]));
  const findings: Finding[] = [];
  for (const e of events) {
    const rule = e.ruleId === null ? undefined : meta.get(e.ruleId);
    if (rule === undefined) continue;
    findings.push({
      ruleId: rule.id,
      aliases: rule.aliases,
      severity: rule.severity,
      title: rule.title,
      message: `${e.message} (${e.verdict}, pid ${e.pid ?? '-'}, uid ${e.uid ?? '-'}, ${e.time})`,
      outcome: { kind: 'fail' },
      evidence: [
        { source: 'argv', value: e.argv.join(' ') },
        { source: 'exe', value: e.exe ?? '' },
      ],
      target: {
        kind: 'container',
        id: e.containerId ?? '',
        name: e.containerName ?? '',
        image: e.imageDigest ?? '',
      },
      remediation: rule.remediation,
      references: rule.references,
    });
  }
  return createReport({
    command: 'watch',
    subjects: [...new Set(events.map((e) => e.containerName ?? e.containerId ?? 'host'))],
    findings,
    rules: WATCH_RULES.map((r) => r.meta),
  });
}

export function renderWatchStatus(status: WatchStatus, updated: string, running: boolean): string {
  const c = status.counters;
  const lines = [
    `bulkhead watch ${running ? `running (pid ${status.pid})` : 'not running'} since ${status.startedAt}, mode ${status.mode}; status of ${updated}`,
    `sources: process tree ${status.sources.proc}; exec gate ${status.sources.gate}`,
    `events: ${status.events} (${status.eventsPerSecond}/s); drops ${c === undefined ? '-' : c.procOverflows + c.procDrops + c.gateOverflows + c.gateDrops} (proc overflows ${c?.procOverflows ?? '-'}, proc drops ${c?.procDrops ?? '-'}, gate overflows ${c?.gateOverflows ?? '-'}, gate drops ${c?.gateDrops ?? '-'}); stalls ${c?.stalls ?? '-'}`,
    `verdicts: ${c?.verdicts ?? 0} (${c?.denied ?? 0} denied), latency avg ${status.verdictLatencyUs.avg} µs, max ${status.verdictLatencyUs.max} µs`,
    `guarded runtime binaries: ${status.guarded.length === 0 ? 'none' : status.guarded.map((g) => g.path).join(', ')}`,
    '',
  ];
  const rows = [
    ['CONTAINER', 'IMAGE', 'RUNTIME', 'MODE', 'PROFILE', 'OBSERVABLE'],
    ...status.containers.map((s) => [
      s.name,
      s.image.slice(0, 40),
      s.runtime,
      s.mode,
      s.profileVersion === null
        ? '-'
        : `v${s.profileVersion}${s.profileError === undefined ? '' : ' (newer file invalid)'}`,
      s.observable ? (s.reason ?? 'yes') : `no: ${s.reason ?? ''}`,
    ]),
  ];
  return `${lines.join('\n')}${pad(rows)}\n`;
}
