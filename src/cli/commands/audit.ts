// `bulkhead audit`: collects host and engine facts once, runs the audit rules, renders the report grouped by
// layer (host, daemon, container NAME, image REF). Exit 0 clean, 1 failures at/above --fail-on, 2 when the
// engine is unreachable (after printing the host results) or on a usage or config error.
import type { Command } from 'commander';
import { EMPTY_CONFIG, loadAuditConfig } from '../../audit/config.js';
import { AUDIT_RULES } from '../../audit/rules/index.js';
import { layerOf, runAudit } from '../../audit/run.js';
import { selectRules, splitTokens } from '../../audit/select.js';
import { collectFacts } from '../../facts/collect.js';
import { defaultDbPath } from '../../vulndb/db.js';
import { createReport } from '../../shared/report.js';
import { EXIT_ERROR, type CliIO } from '../io.js';
import type { CommandRunner } from '../main.js';
import { addFactsOptions, addReportOptions, emitReport, readReportFlags } from '../options.js';

/** The table reads from the host up: host, daemon, containers, images (headings from layerOf). */
function rankLayer(heading: string): number {
  const order = ['host', 'daemon', 'container', 'image'];
  const rank = order.indexOf(heading.split(' ')[0] ?? '');
  return rank === -1 ? order.length : rank;
}

interface AuditFlags {
  readonly host?: string;
  readonly root: string;
  readonly db?: string;
  readonly config?: string;
  readonly only: string[];
  readonly skip: string[];
  readonly verbose: boolean;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** Progress on stderr while containers and images are inspected (terminal only, and only when there are many). */
export function progressReporter(
  io: CliIO,
  quiet: boolean,
): ((done: number, total: number) => void) | undefined {
  if (quiet || !io.isTTY) return undefined;
  let last = 0;
  return (done, total) => {
    if (total < 20) return;
    const now = Date.now();
    if (done !== total && now - last < 100) return;
    last = now;
    io.stderr(`\rbulkhead: inspecting ${done}/${total} containers and images${done === total ? '\n' : ''}`);
  };
}

export function registerAudit(program: Command, run: (runner: CommandRunner) => Promise<void>): void {
  const command = program
    .command('audit')
    .description(
      'audit the host, the Docker daemon, running containers and their images (CIS Docker Benchmark and beyond)',
    );
  addFactsOptions(command)
    .option('-c, --config <file>', 'YAML config: trustedRegistries, waivers, severity overrides')
    .option(
      '--only <ids>',
      'run only these rules: ids, areas or CIS sections (repeatable, comma-separated)',
      collect,
      [],
    )
    .option(
      '--skip <ids>',
      'skip these rules: ids, areas or CIS sections (repeatable, comma-separated)',
      collect,
      [],
    )
    .option('-v, --verbose', 'show passing, skipped and not-applicable checks too', false);
  addReportOptions(command).action((flags: AuditFlags & Record<string, unknown>) =>
    run(async (io) => {
      const report = readReportFlags(flags, io);
      const rules = selectRules(AUDIT_RULES, {
        only: splitTokens(flags.only),
        skip: splitTokens(flags.skip),
      });
      const config = flags.config === undefined ? EMPTY_CONFIG : loadAuditConfig(flags.config, AUDIT_RULES);
      const needsEngine = rules.some((r) => r.needs !== 'host');
      const started = Date.now();
      const onProgress = progressReporter(io, report.quiet);
      const facts = await collectFacts({
        root: flags.root,
        host: flags.host,
        env: io.env,
        skipEngine: !needsEngine,
        vulnDb: flags.db ?? defaultDbPath(io.env),
        ...(onProgress === undefined ? {} : { onProgress }),
      });
      const result = runAudit(facts, {
        rules,
        settings: { trustedRegistries: config.trustedRegistries, allowedListeners: config.allowedListeners },
        waivers: config.waivers,
        severity: config.severity,
      });
      const engine = facts.engine;
      const subjects = [
        `host ${flags.root}`,
        ...(engine.state === 'known' ? [`engine ${engine.value.address}`] : []),
      ];
      const document = createReport({
        command: 'audit',
        subjects,
        findings: result.findings,
        rules: result.rules,
        diagnostics: [...facts.diagnostics, ...result.diagnostics],
      });
      const code = emitReport(document, report, io, {
        groupBy: layerOf,
        groupRank: rankLayer,
        showAll: flags.verbose,
      });
      if (!report.quiet && engine.state === 'known') {
        const running = engine.value.containers.filter((c) => c.State?.Running !== false).length;
        io.stderr(
          `bulkhead: audited ${running} running containers in ${Date.now() - started} ms (${engine.value.apiCalls} Engine API calls)\n`,
        );
      }
      if (needsEngine && engine.state === 'unknown') {
        const diagnostic = facts.diagnostics.find(
          (d) => d.level === 'error' && d.message.startsWith(engine.reason),
        );
        io.stderr(
          `bulkhead: ${diagnostic?.message ?? engine.reason}\n  host rules ran; daemon, container and image rules were skipped\n`,
        );
        return EXIT_ERROR;
      }
      return code;
    }),
  );
}
