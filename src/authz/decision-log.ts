// The plugin's JSON-lines decision log: each line is written with a synchronous append before the plugin answers
// (so an answered decision survives a SIGKILL of the plugin), and a failing log — a full disk (ENOSPC), a
// directory that vanished before a SIGHUP reopen, an I/O error — never stops the plugin: decisions go on, the
// failure is reported on stderr and counted, unwritten lines wait in a bounded buffer, and the file is reopened.
import { closeSync, openSync, writeSync } from 'node:fs';

export interface DecisionLogStats {
  /** Writes or opens that failed since start. */
  readonly failures: number;
  /** Lines given up because the buffer was full while the log was failing. */
  readonly dropped: number;
  /** Lines waiting to be written. */
  readonly buffered: number;
  readonly lastError: string | undefined;
}

export interface DecisionLogOptions {
  /** The log file (opened for append, created 0640), or undefined to hand lines to `sink` (stdout). */
  readonly path: string | undefined;
  readonly sink?: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** After a failure, how long to wait before trying the file again. */
  readonly retryMs?: number;
  /** Lines kept while the log is failing; older ones are dropped (and counted) beyond this. */
  readonly maxBuffered?: number;
  readonly now?: () => number;
}

function errorText(error: unknown): string {
  if (error instanceof Error)
    return 'code' in error && typeof error.code === 'string' ? error.code : error.message;
  return String(error);
}

export class DecisionLog {
  private fd: number | undefined;
  private readonly pending: Buffer[] = [];
  private failures = 0;
  private dropped = 0;
  private failing = false;
  private lastError: string | undefined;
  /** While failing, no retry before this time. */
  private retryAt = Number.NEGATIVE_INFINITY;
  private readonly retryMs: number;
  private readonly maxBuffered: number;
  private readonly now: () => number;

  constructor(private readonly options: DecisionLogOptions) {
    this.retryMs = options.retryMs ?? 1000;
    this.maxBuffered = options.maxBuffered ?? 10000;
    this.now = options.now ?? Date.now;
    if (options.path !== undefined) this.open();
  }

  stats(): DecisionLogStats {
    return {
      failures: this.failures,
      dropped: this.dropped,
      buffered: this.pending.length,
      lastError: this.lastError,
    };
  }

  /** Appends one line (without its newline); returns once it is in the file, or buffered if the file fails. */
  write(line: string): void {
    if (this.options.path === undefined) {
      this.options.sink?.(`${line}\n`);
      return;
    }
    this.pending.push(Buffer.from(`${line}\n`, 'utf8'));
    while (this.pending.length > this.maxBuffered) {
      this.pending.shift();
      this.dropped += 1;
    }
    this.drain();
  }

  /** SIGHUP: closes and reopens the file by name, so logrotate can move it away. */
  reopen(): void {
    if (this.options.path === undefined) return;
    this.closeFd();
    if (this.open()) this.drain(true);
  }

  close(): void {
    this.drain();
    this.closeFd();
  }

  private open(): boolean {
    const path = this.options.path;
    if (path === undefined) return false;
    try {
      this.fd = openSync(path, 'a', 0o640);
      return true;
    } catch (error) {
      this.fail(`cannot open ${path}`, error);
      return false;
    }
  }

  private closeFd(): void {
    if (this.fd === undefined) return;
    try {
      closeSync(this.fd);
    } catch {
      // a failing descriptor is being replaced anyway
    }
    this.fd = undefined;
  }

  private drain(force = false): void {
    if (this.pending.length === 0) return;
    if (this.failing && !force && this.now() < this.retryAt) return;
    if (this.fd === undefined && !this.open()) return;
    const fd = this.fd;
    if (fd === undefined) return;
    while (this.pending.length > 0) {
      const head = this.pending[0];
      if (head === undefined) break;
      let offset = 0;
      try {
        while (offset < head.length) offset += writeSync(fd, head, offset);
        this.pending.shift();
      } catch (error) {
        // keep what was not written (a line cut by ENOSPC is completed when space returns)
        this.pending[0] = head.subarray(offset);
        const code = errorText(error);
        // a descriptor that went bad is reopened on the next try; on a full disk the same file is retried
        if (code !== 'ENOSPC' && code !== 'EDQUOT') this.closeFd();
        this.fail(`cannot write ${this.options.path ?? ''}`, error);
        return;
      }
    }
    if (this.failing) {
      this.failing = false;
      const recovered = JSON.stringify({
        time: new Date().toISOString(),
        event: 'decision_log_recovered',
        failures: this.failures,
        dropped: this.dropped,
      });
      this.options.stderr(
        `bulkhead authz: decision log ${this.options.path ?? ''} writable again (${this.failures} failed attempts, ${this.dropped} lines dropped)\n`,
      );
      this.pending.push(Buffer.from(`${recovered}\n`, 'utf8'));
      this.drain();
    }
  }

  private fail(what: string, error: unknown): void {
    this.failures += 1;
    this.lastError = errorText(error);
    if (!this.failing) {
      // one report per outage, not one per decision: the recovery line gives the totals
      this.options.stderr(
        `bulkhead authz: ${what} (${this.lastError}); decisions continue, lines are kept in memory (up to ${this.maxBuffered}) and retried every ${this.retryMs} ms\n`,
      );
    }
    this.failing = true;
    this.retryAt = this.now() + this.retryMs;
  }
}
