// Builds one fleet report on a host: the audit over the collected facts (the library's audit driver), one
// inventory per image digest in use (the scan library reading engine images, each digest once), the container ->
// digest map, and the authz decisions logged since the last report.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { AUDIT_RULES } from '../audit/rules/index.js';
import { layerOf, runAudit } from '../audit/run.js';
import { collectFacts } from '../collect/facts.js';
import type { Diagnostic } from '../shared/diagnostic.js';
import { readImage } from '../image/index.js';
import { describeTarget } from '../shared/finding.js';
import { REPORT_SCHEMA, type FleetReport, type ImageInventory } from '../shared/fleet-report.js';
import { TOOL_VERSION } from '../shared/version.js';
import { readWatchEvents, WATCH_BATCH, type WatchCursor } from './watch-events.js';

export interface BuildReportOptions {
  readonly root: string;
  readonly host: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** A `bulkhead authz serve --decision-log` JSON-lines file; decisions after `authzSince` are shipped. */
  readonly authzLog?: string | undefined;
  readonly authzSince?: string | undefined;
  /** `bulkhead watch`'s event database; events after `watchCursor` are shipped, at most `watchBatch`. */
  readonly watchDb?: string | undefined;
  readonly watchCursor?: WatchCursor | undefined;
  readonly watchBatch?: number | undefined;
  readonly now?: Date;
}

export interface BuiltReport {
  readonly report: FleetReport;
  readonly diagnostics: Diagnostic[];
  /** The watch cursor to save once the report is queued (undefined when no watch database was read). */
  readonly watchCursor?: WatchCursor | undefined;
}

const decisionLine = z.looseObject({
  time: z.iso.datetime(),
  phase: z.string().optional(),
  user: z.string(),
  action: z.string(),
  decision: z.enum(['allow', 'deny']),
  rule: z.string().optional(),
  msg: z.string().optional(),
});

function readDecisions(
  path: string,
  since: string | undefined,
  diagnostics: Diagnostic[],
): FleetReport['authz'] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    diagnostics.push({
      level: 'warning',
      subject: path,
      message: `authz decision log not read: ${error instanceof Error ? error.message : String(error)}`,
    });
    return [];
  }
  const out: FleetReport['authz'] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      skipped += 1;
      continue;
    }
    const parsed = decisionLine.safeParse(json);
    if (!parsed.success) continue; // policy events share the log
    const d = parsed.data;
    if (d.phase === 'res' || (since !== undefined && d.time <= since)) continue;
    out.push({
      at: d.time,
      user: d.user.slice(0, 256),
      action: d.action.slice(0, 256),
      decision: d.decision,
      reason: (d.msg ?? d.rule ?? '').slice(0, 1024),
    });
  }
  if (skipped > 0)
    diagnostics.push({ level: 'warning', subject: path, message: `${skipped} unreadable lines skipped` });
  return out.slice(-50_000);
}

export async function buildReport(options: BuildReportOptions): Promise<BuiltReport> {
  const facts = await collectFacts({
    root: options.root,
    host: options.host,
    env: options.env,
    skipEngine: false,
  });
  const diagnostics: Diagnostic[] = [...facts.diagnostics];
  const audit = runAudit(facts, {
    rules: AUDIT_RULES,
    settings: { trustedRegistries: [], allowedListeners: [] },
  });
  diagnostics.push(...audit.diagnostics);
  const findings = audit.findings
    .filter((f) => f.outcome.kind === 'fail')
    .map((f) => ({
      ruleId: f.ruleId.slice(0, 64),
      severity: f.severity,
      title: f.title.slice(0, 512),
      message: f.message.slice(0, 4096),
      group: layerOf(f).heading.slice(0, 600),
      target: describeTarget(f.target).slice(0, 600),
      outcome: 'fail' as const,
    }));
  const engine = facts.engine;
  const containers: FleetReport['containers'] = [];
  const images: ImageInventory[] = [];
  if (engine.state === 'known') {
    const scanned = new Map<string, ImageInventory | undefined>();
    for (const c of engine.value.containers) {
      const digest = c.Image;
      if (typeof digest !== 'string' || !/^sha256:[a-f0-9]{64}$/.test(digest)) continue;
      if (!scanned.has(digest)) {
        try {
          const image = await readImage(digest, { host: options.host, env: options.env });
          scanned.set(digest, {
            digest,
            ref: (c.Config?.Image ?? digest).slice(0, 512),
            os: {
              family: image.os.family,
              id: image.os.id.slice(0, 64),
              ...(image.os.versionId === undefined ? {} : { versionId: image.os.versionId.slice(0, 64) }),
              ...(image.os.codename === undefined ? {} : { codename: image.os.codename.slice(0, 64) }),
              ...(image.os.prettyName === undefined ? {} : { prettyName: image.os.prettyName.slice(0, 256) }),
              evidence: image.os.evidence.slice(0, 256),
            },
            packages: image.packages.map((p) => ({
              name: p.name,
              version: p.version,
              sourceName: p.sourceName,
              sourceVersion: p.sourceVersion,
              format: p.format,
            })),
          });
        } catch (error) {
          scanned.set(digest, undefined);
          diagnostics.push({
            level: 'warning',
            subject: digest,
            message: `image not scanned: ${error instanceof Error ? error.message : String(error)}`,
          });
        }
      }
      const inventory = scanned.get(digest);
      if (inventory === undefined) continue;
      if (!images.includes(inventory)) images.push(inventory);
      containers.push({
        id: c.Id,
        name: c.Name.replace(/^\//, '').slice(0, 256),
        image: inventory.ref,
        digest,
        running: c.State?.Running === true,
      });
    }
  }
  const watch =
    options.watchDb === undefined
      ? undefined
      : readWatchEvents(
          options.watchDb,
          options.watchCursor ?? { file: options.watchDb, lastId: 0 },
          options.watchBatch ?? WATCH_BATCH,
          diagnostics,
        );
  if (watch?.more === true)
    diagnostics.push({
      level: 'warning',
      subject: options.watchDb ?? '',
      message: `more watch events than one report carries (${options.watchBatch ?? WATCH_BATCH}); the rest follow in the next reports`,
    });
  const report: FleetReport = {
    schema: REPORT_SCHEMA,
    agentVersion: TOOL_VERSION,
    createdAt: (options.now ?? new Date()).toISOString(),
    host: { name: options.name, labels: { ...options.labels } },
    ...(engine.state === 'known'
      ? { daemon: { address: engine.value.address, version: engine.value.version.Version } }
      : {}),
    audit: { findings },
    containers,
    images,
    authz:
      options.authzLog === undefined ? [] : readDecisions(options.authzLog, options.authzSince, diagnostics),
    events: watch?.events ?? [],
  };
  return { report, diagnostics, watchCursor: watch?.cursor };
}
