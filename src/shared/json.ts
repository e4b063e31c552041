// JSON.parse with errors that name the file and the line:column of the fault, for hand-edited files (daemon.json).
import { InputError } from './errors.js';

/** line:column (1-based) of a character offset. */
export function positionOf(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split('\n');
  return { line: lines.length, column: (lines[lines.length - 1]?.length ?? 0) + 1 };
}

/** Parses JSON or throws InputError "<subject>:<line>:<column>: <reason>". */
export function parseJsonText(text: string, subject: string, hint?: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const at = /at position (\d+)/.exec(message);
    const offset = at?.[1] === undefined ? text.length : Number(at[1]);
    const { line, column } = positionOf(text, offset);
    const reason = message.replace(/\s*in JSON at position \d+.*$/, '').replace(/^JSON\.parse: /, '');
    return throwInput(subject, `invalid JSON: ${reason}`, `${line}:${column}`, hint, error);
  }
}

function throwInput(
  subject: string,
  message: string,
  position: string,
  hint: string | undefined,
  cause: unknown,
): never {
  throw new InputError(subject, message, { position, hint, cause });
}
