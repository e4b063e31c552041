// `bulkhead audit`: collects host and engine facts once, runs the audit rules, renders the report grouped by
// layer (host, daemon, container NAME, image REF). Exit 0 clean, 1 failures at/above --fail-on, 2 when the
// engine is unreachable (after printing the host results) or on a usage or config error.
import type { Command } from 'commander';
import { EMPTY_CONFIG, loadAuditConfig } from '../../audit/config.js';
import { AUDIT_RULES } from '../../audit/rules/index.js';
import { auditedContainers } from '../../audit/check.js';
import { auditHost } from '../../audit/driver.js';
import { layerOf } from '../../audit/run.js';
import { splitTokens } from '../../audit/select.js';
import { defaultDbPath } from '../../vulndb/db.js';
import { EXIT_ERROR, type CommandRunner } from '../io.js';
import { createProgress, type ProgressTask } from '../progress.js';
import { addFactsOptions, addReportOptions, emitReport, readReportFlags } from '../options.js';

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

/** Inspection progress (terminal only, and only when there are many containers and images). */
export function inspectionProgress(task: ProgressTask): (done: number, total: number) => void {
  return (done, total) => {
    if (total < 20) return;
    if (done === total) task.done();
    else task.update(`bulkhead: inspecting ${done}/${total} containers and images`);
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
      const config = flags.config === undefined ? EMPTY_CONFIG : loadAuditConfig(flags.config, AUDIT_RULES);
      const progress = createProgress(io, { quiet: report.quiet, offTerminal: 'final', intervalMs: 100 });
      const {
        report: document,
        facts,
        needsEngine,
        elapsedMs,
      } = await auditHost({
        root: flags.root,
        host: flags.host,
        env: io.env,
        vulnDb: flags.db ?? defaultDbPath(io.env),
        selection: { only: splitTokens(flags.only), skip: splitTokens(flags.skip) },
        config,
        onProgress: inspectionProgress(progress.task()),
      }).finally(() => {
        progress.stop();
      });
      const engine = facts.engine;
      const code = emitReport(document, report, io, {
        groupBy: layerOf,
        showAll: flags.verbose,
      });
      if (!report.quiet && engine.state === 'known') {
        const running = auditedContainers(engine.value).length;
        io.stderr(
          `bulkhead: audited ${running} running containers in ${elapsedMs} ms (${engine.value.apiCalls} Engine API calls)\n`,
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
