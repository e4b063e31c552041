// The audit family's driver (`bulkhead audit` as a library call): selects rules, collects host and engine facts
// once (src/collect), runs the rules and returns the Report plus what the command reports about the run.
import { collectFacts } from '../collect/facts.js';
import type { Facts } from '../facts/index.js';
import { createReport, type Report } from '../shared/report.js';
import type { AuditConfig } from './config.js';
import type { AuditRule } from './rule.js';
import { AUDIT_RULES } from './rules/index.js';
import { runAudit } from './run.js';
import { selectRules, type RuleSelection } from './select.js';

export interface AuditHostOptions {
  /** Host root path ("/" by default). */
  readonly root: string;
  /** --host value (else DOCKER_HOST, else the default socket). */
  readonly host?: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Vulnerability database for the running kernel's fact (absent or missing: that fact is unknown). */
  readonly vulnDb?: string | undefined;
  readonly selection: RuleSelection;
  readonly config: AuditConfig;
  readonly rules?: readonly AuditRule[];
  readonly onProgress?: ((done: number, total: number) => void) | undefined;
  readonly now?: Date;
}

export interface AuditHostRun {
  readonly report: Report;
  readonly facts: Facts;
  /** Whether any selected rule needs the Engine API (when it does and the engine is unknown, audit exits 2). */
  readonly needsEngine: boolean;
  readonly elapsedMs: number;
}

export async function auditHost(options: AuditHostOptions): Promise<AuditHostRun> {
  const rules = selectRules(options.rules ?? AUDIT_RULES, options.selection);
  const needsEngine = rules.some((r) => r.needs !== 'host');
  const started = Date.now();
  const facts = await collectFacts({
    root: options.root,
    host: options.host,
    env: options.env,
    skipEngine: !needsEngine,
    ...(options.vulnDb === undefined ? {} : { vulnDb: options.vulnDb }),
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
  });
  const result = runAudit(facts, {
    rules,
    settings: {
      trustedRegistries: options.config.trustedRegistries,
      allowedListeners: options.config.allowedListeners,
    },
    waivers: options.config.waivers,
    severity: options.config.severity,
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  const engine = facts.engine;
  const report = createReport({
    command: 'audit',
    subjects: [
      `host ${options.root}`,
      ...(engine.state === 'known' ? [`engine ${engine.value.address}`] : []),
    ],
    findings: result.findings,
    rules: result.rules,
    diagnostics: [...facts.diagnostics, ...result.diagnostics],
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  return { report, facts, needsEngine, elapsedMs: Date.now() - started };
}
