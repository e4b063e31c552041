// The one progress reporter of long commands (audit's inspection, scan's layers, db's downloads): on a terminal,
// cli-progress redraws one status line per task in place; off a terminal, throttled plain lines or only the
// final ones; nothing with --quiet. Progress goes to stderr, never stdout.
import { MultiBar, type SingleBar } from 'cli-progress';
import type { CliIO } from './io.js';

export interface ProgressOptions {
  readonly quiet: boolean;
  /** Off a terminal: "lines" prints updates (at most one per `intervalMs`), "final" only what `done` says. */
  readonly offTerminal: 'lines' | 'final';
  /** Minimum time between two updates, in milliseconds. */
  readonly intervalMs: number;
  /** Nothing is shown before this many milliseconds (short runs stay quiet). */
  readonly delayMs?: number;
  /** Keep finished lines on the terminal (db's downloads) instead of clearing them at `stop`. */
  readonly keep?: boolean;
}

export interface ProgressTask {
  /** The task's status line ("layer 3/7: 120 MiB", "debian-tracker 45% 12.1 MiB"). */
  update(text: string): void;
  /** Ends the task; `text`, when given, stays (terminal with `keep`) or is printed (off a terminal). */
  done(text?: string): void;
}

export interface Progress {
  task(): ProgressTask;
  /** Ends the display; call before printing results. */
  stop(): void;
}

const SILENT: ProgressTask = { update: () => undefined, done: () => undefined };

export function createProgress(io: CliIO, options: ProgressOptions): Progress {
  if (options.quiet) return { task: () => SILENT, stop: () => undefined };
  if (!io.isTTY) return linesProgress(io, options);
  const stream = { isTTY: true, columns: 100, write: (s: string): boolean => (io.stderr(s), true) };
  const multi = new MultiBar({
    stream: stream as unknown as NodeJS.WritableStream,
    format: '{text}',
    hideCursor: true,
    clearOnComplete: options.keep !== true,
    fps: Math.max(1, Math.round(1000 / Math.max(options.intervalMs, 1))),
    gracefulExit: false,
  });
  const started = Date.now();
  return {
    task: () => {
      let bar: SingleBar | undefined;
      const show = (text: string): void => {
        bar ??= multi.create(1, 0, { text });
        bar.update(0, { text });
      };
      return {
        update: (text) => {
          if (Date.now() - started >= (options.delayMs ?? 0)) show(text);
        },
        done: (text) => {
          if (text !== undefined && options.keep === true) show(text);
          bar?.stop();
        },
      };
    },
    stop: () => {
      multi.stop();
    },
  };
}

function linesProgress(io: CliIO, options: ProgressOptions): Progress {
  let last = Date.now() - options.intervalMs + (options.delayMs ?? 0);
  return {
    task: () => ({
      update: (text) => {
        if (options.offTerminal !== 'lines') return;
        const now = Date.now();
        if (now - last < options.intervalMs) return;
        last = now;
        io.stderr(`bulkhead: ${text}\n`);
      },
      done: (text) => {
        if (text !== undefined) io.stderr(`${text}\n`);
      },
    }),
    stop: () => undefined,
  };
}
