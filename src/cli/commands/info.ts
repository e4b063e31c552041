// `bulkhead info`: collects host and engine facts once and prints them (readable summary, or --json).
import { Option, type Command } from 'commander';
import { collectFacts } from '../../collect/facts.js';
import { defaultDbPath } from '../../vulndb/db.js';
import { renderFactsText } from '../../report/facts-text.js';
import { EXIT_ERROR, EXIT_OK, type CommandRunner } from '../io.js';
import { addFactsOptions } from '../options.js';

interface InfoFlags {
  readonly host?: string;
  readonly root: string;
  readonly db?: string;
  readonly json: boolean;
  readonly format: 'text' | 'json';
  readonly engine: boolean;
  readonly color: boolean;
}

export function registerInfo(program: Command, run: (runner: CommandRunner) => Promise<void>): void {
  addFactsOptions(
    program
      .command('info')
      .description('print the facts bulkhead collects about the host and the Docker engine'),
  )
    .option('--json', 'print the full facts document as JSON (same as -f json)', false)
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--no-engine', 'do not query the Engine API (host facts only)')
    .option('--no-color', 'disable ANSI colours')
    .action((flags: InfoFlags) =>
      run(async (io) => {
        const facts = await collectFacts({
          root: flags.root,
          host: flags.host,
          env: io.env,
          skipEngine: !flags.engine,
          vulnDb: flags.db ?? defaultDbPath(io.env),
        });
        if (flags.json || flags.format === 'json') io.stdout(`${JSON.stringify(facts, null, 2)}\n`);
        else
          io.stdout(
            renderFactsText(facts, { color: flags.color && io.isTTY && io.env['NO_COLOR'] === undefined }),
          );
        for (const d of facts.diagnostics)
          io.stderr(`bulkhead: ${d.level === 'warning' ? 'warning: ' : ''}${d.message}\n`);
        return facts.diagnostics.some((d) => d.level === 'error') ? EXIT_ERROR : EXIT_OK;
      }),
    );
}
