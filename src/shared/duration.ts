// The one duration parser for flags (`--since 10m`, `--every 1h`, `--since 500ms`): a whole number and a unit.
import { UsageError } from './errors.js';

const UNITS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** "500ms", "30s", "15m", "2h", "7d" -> milliseconds; a UsageError naming `flag` otherwise (and for 0 unless allowed). */
export function parseDuration(
  raw: string,
  flag: string,
  options: { readonly allowZero?: boolean } = {},
): number {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(raw.trim());
  const unit = match?.[2] === undefined ? undefined : UNITS[match[2]];
  const n = Number(match?.[1]);
  if (unit === undefined || !Number.isSafeInteger(n) || (n === 0 && options.allowZero !== true))
    throw new UsageError(`${flag} must be a whole number and a unit (ms, s, m, h, d), got ${raw}`, {
      subject: flag,
      hint: `e.g. ${flag} 10m`,
    });
  return n * unit;
}
