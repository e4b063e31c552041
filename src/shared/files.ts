// Reads a user-named input file (policy, config, ignore file) with an error that names it, its errno and the fix.
import { readFileSync } from 'node:fs';
import { BulkheadError, errnoCode } from './errors.js';

/** The file's UTF-8 text; throws INPUT_UNREADABLE "cannot read <what> <path> (<errno>)" with `hint`. */
export function readTextInput(path: string, what: string, hint: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new BulkheadError(
      'INPUT_UNREADABLE',
      `cannot read ${what} ${path} (${errnoCode(error) ?? 'error'})`,
      {
        subject: path,
        hint,
        cause: error,
      },
    );
  }
}
