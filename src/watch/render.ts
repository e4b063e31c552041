// Renderers for `bulkhead watch events` and `watch status` (a table, JSON), and the events as a shared Report
// (one finding per event a rule decided) that report/'s SARIF renderer turns into SARIF 2.1.0. The events are
// watch's own (exec, open, container, stall) and the network stage's (`net_events` of the same file), in time order.
import { NET_RULES } from '../net/rules/index.js';
import type { NetEvent } from '../net/store.js';
import { WATCH_RULES } from './rules/index.js';
import type { ListedEvent } from './events.js';
import type { StoredEvent } from './store.js';
import type { WatchStatus } from './watcher.js';
import { renderColumns } from '../shared/columns.js';
import { createReport, type Report } from '../shared/report.js';
import type { Finding } from '../shared/finding.js';

function what(e: StoredEvent): string {
  if (e.kind === 'exec') return [e.path ?? '', ...e.argv.slice(1)].join(' ');
  return e.path ?? e.message;
}

function execRow(e: StoredEvent): string[] {
  return [
    e.time.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
    e.containerName ?? e.containerId?.slice(0, 12) ?? '-',
    e.kind,
    e.verdict,
    e.ruleId ?? '-',
    e.pid === null ? '-' : String(e.pid),
    e.uid === null ? '-' : String(e.uid),
    (e.kind === 'exec' ? what(e) : e.message).slice(0, 100),
  ];
}

function netRow(e: NetEvent): string[] {
  return [
    new Date(e.time)
      .toISOString()
      .replace('T', ' ')
      .replace(/\.\d+Z$/, 'Z'),
    e.container ?? e.containerId?.slice(0, 12) ?? '-',
    `net-${e.kind}`,
    e.verdict,
    e.ruleId ?? '-',
    '-',
    '-',
    (e.message.split('\n')[0] ?? '').slice(0, 160),
  ];
}

export function renderEventsTable(events: readonly ListedEvent[]): string {
  if (events.length === 0) return 'no events\n';
  const rows = events.map((e) => (e.source === 'exec' ? execRow(e.event) : netRow(e.event)));
  return `${renderColumns(['TIME', 'CONTAINER', 'KIND', 'VERDICT', 'RULE', 'PID', 'UID', 'WHAT'], rows)}\n`;
}

/** One JSON array in time order; each item says its `source` (exec or net), net events with an ISO time. */
export function renderEventsJson(events: readonly ListedEvent[]): string {
  const items = events.map((e) =>
    e.source === 'exec'
      ? { source: 'exec', ...e.event }
      : {
          source: 'net',
          time: new Date(e.event.time).toISOString(),
          kind: e.event.kind,
          verdict: e.event.verdict,
          ruleId: e.event.ruleId ?? null,
          severity: e.event.severity ?? null,
          containerId: e.event.containerId ?? null,
          containerName: e.event.container ?? null,
          peer: e.event.peer ?? null,
          port: e.event.port ?? null,
          proto: e.event.proto ?? null,
          message: e.event.message,
        },
  );
  return `${JSON.stringify(items, null, 2)}\n`;
}

/** The events a rule decided (watch's BH-W and the network stage's BH-N) as a Report, for the SARIF renderer. */
export function eventsReport(events: readonly ListedEvent[]): Report {
  const meta = new Map([...WATCH_RULES, ...NET_RULES].map((r) => [r.meta.id, r.meta]));
  const findings: Finding[] = [];
  for (const listed of events) {
    const id = listed.event.ruleId ?? undefined;
    const rule = id === undefined ? undefined : meta.get(id);
    if (rule === undefined) continue;
    const common = {
      ruleId: rule.id,
      aliases: rule.aliases,
      severity: rule.severity,
      title: rule.title,
      outcome: { kind: 'fail' as const },
      remediation: rule.remediation,
      references: rule.references,
    };
    if (listed.source === 'exec') {
      const e = listed.event;
      findings.push({
        ...common,
        message: `${e.message} (${e.verdict}, pid ${e.pid ?? '-'}, uid ${e.uid ?? '-'}, ${e.time})`,
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
      });
      continue;
    }
    const e = listed.event;
    findings.push({
      ...common,
      message: `${e.message} (${e.verdict}, ${new Date(e.time).toISOString()})`,
      evidence: [
        { source: 'peer', value: e.peer ?? '' },
        { source: 'port', value: e.port === undefined ? '' : `${e.port}/${e.proto ?? ''}` },
      ],
      target: { kind: 'container', id: e.containerId ?? '', name: e.container ?? '', image: '' },
    });
  }
  const subject = (e: ListedEvent): string =>
    e.source === 'exec'
      ? (e.event.containerName ?? e.event.containerId ?? 'host')
      : (e.event.container ?? 'host');
  return createReport({
    command: 'watch',
    subjects: [...new Set(events.map(subject))],
    findings,
    rules: [...WATCH_RULES, ...NET_RULES].map((r) => r.meta),
  });
}

const GATE_SCHED: Readonly<Record<number, string>> = { 1: 'SCHED_FIFO', 2: 'nice -20' };

export function renderWatchStatus(status: WatchStatus, updated: string, running: boolean): string {
  const c = status.counters;
  const t = status.runscTrace;
  const lines = [
    `bulkhead watch ${running ? `running (pid ${status.pid})` : 'not running'} since ${status.startedAt}, mode ${status.mode}; status of ${updated}`,
    `sources: process tree ${status.sources.proc}; exec gate ${status.sources.gate}`,
    `events: ${status.events} (${status.eventsPerSecond}/s); drops ${c === undefined ? '-' : c.procOverflows + c.procDrops + c.gateOverflows + c.gateDrops} (proc overflows ${c?.procOverflows ?? '-'}, proc drops ${c?.procDrops ?? '-'}, gate overflows ${c?.gateOverflows ?? '-'}, gate drops ${c?.gateDrops ?? '-'}); stalls ${c?.stalls ?? '-'}`,
    `verdicts: ${c?.verdicts ?? 0} (${c?.denied ?? 0} denied), latency avg ${status.verdictLatencyUs.avg} µs, max ${status.verdictLatencyUs.max} µs${c === undefined || c.gateThreads === 0 ? '' : `; ${c.gateThreads} verdict thread${c.gateThreads === 1 ? '' : 's'} (${GATE_SCHED[c.gateSched] ?? 'default scheduling'})`}`,
    `guarded runtime binaries: ${status.guarded.length === 0 ? 'none' : status.guarded.map((g) => g.path).join(', ')}`,
    ...(t === undefined
      ? []
      : [
          `runsc trace: ${t.sessions} session(s)${t.lost === 0 ? '' : `, ${t.lost} held by another tool`}, ${t.messages} messages; dropped by the sentry ${t.sentryDropped}; rejected ${t.decodeErrors + t.oversize + t.handshakeErrors} (malformed ${t.decodeErrors}, oversize ${t.oversize}, bad handshakes ${t.handshakeErrors}); container id mismatches ${t.containerMismatch}`,
        ]),
    ...(status.host === undefined
      ? []
      : [
          `host (--host): ${status.host.mode} on ${status.host.filesystems.map((f) => f.path).join(', ')}; host profile ${status.host.profileVersion === null ? 'none' : `v${status.host.profileVersion}`}${status.host.profileError === undefined ? '' : ' (newer file invalid)'}; package databases: ${status.host.packages.join('; ') || 'none'}${status.host.packageRereads === 0 ? '' : ` (re-read ${status.host.packageRereads} times after package changes, last at ${status.host.packagesReadAt ?? '?'})`}${status.host.allowed === null ? '' : `; deny allow-set ${status.host.allowed} files`}`,
        ]),
    '',
  ];
  const rows = status.containers.map((s) => [
    s.name,
    s.image.slice(0, 40),
    s.runtime,
    s.mode,
    s.profileVersion === null
      ? '-'
      : `v${s.profileVersion}${s.profileError === undefined ? '' : ' (newer file invalid)'}`,
    s.observable ? (s.reason ?? 'yes') : `no: ${s.reason ?? ''}`,
  ]);
  const header = ['CONTAINER', 'IMAGE', 'RUNTIME', 'MODE', 'PROFILE', 'OBSERVABLE'];
  return `${lines.join('\n')}${renderColumns(header, rows)}\n`;
}
