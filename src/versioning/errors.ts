// The error every version scheme throws for input it cannot parse: an unparseable version is never given an order.
import { BulkheadError } from '../shared/errors.js';

export class VersionError extends BulkheadError {
  readonly scheme: string;
  readonly version: string;

  constructor(scheme: string, version: string, reason: string) {
    super('VERSION_INVALID', `invalid ${scheme} version ${JSON.stringify(version)}: ${reason}`, {
      subject: version,
      hint: `check the ${scheme} version string; it must follow the ${scheme} version syntax`,
    });
    this.scheme = scheme;
    this.version = version;
  }
}

export type Ordering = -1 | 0 | 1;

/** Maps any number to -1, 0 or 1. */
export function sign(n: number): Ordering {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

/** Compares two strings of decimal digits of any length numerically, without overflow. */
export function compareDigitStrings(a: string, b: string): Ordering {
  const x = a.replace(/^0+/, '');
  const y = b.replace(/^0+/, '');
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return x < y ? -1 : x > y ? 1 : 0;
}
