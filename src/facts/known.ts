// A fact that was either read (with the file, flag or API field it came from) or could not be: unknown stays
// unknown with a reason, never a guessed default (issue 2, DESIGN.md "Facts first").
import { z } from 'zod';

export type Known<T> =
  | { readonly state: 'known'; readonly value: T; readonly source: string }
  | { readonly state: 'unknown'; readonly reason: string };

export function known<T>(value: T, source: string): Known<T> {
  return { state: 'known', value, source };
}

export function unknown<T = never>(reason: string): Known<T> {
  return { state: 'unknown', reason };
}

export function knownSchema<S extends z.ZodType>(value: S) {
  return z.discriminatedUnion('state', [
    z.object({ state: z.literal('known'), value, source: z.string() }),
    z.object({ state: z.literal('unknown'), reason: z.string() }),
  ]);
}

/** The value when known, else undefined: for rules that then report skip(reason). */
export function valueOf<T>(fact: Known<T>): T | undefined {
  return fact.state === 'known' ? fact.value : undefined;
}
