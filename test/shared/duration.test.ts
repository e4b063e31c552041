// The one duration parser (src/shared/duration.ts) that watch --since, watch net-events --since and agent --every
// share: before it, `watch events --since 500ms` was refused while `watch net-events --since 500ms` was not.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDuration } from '../../src/shared/duration.js';

describe('parseDuration', () => {
  const good: readonly (readonly [raw: string, ms: number])[] = [
    ['500ms', 500],
    ['30s', 30_000],
    ['15m', 900_000],
    ['2h', 7_200_000],
    ['7d', 604_800_000],
    [' 10m ', 600_000],
  ];
  for (const [raw, ms] of good)
    it(`reads ${JSON.stringify(raw)}`, () => {
      assert.equal(parseDuration(raw, '--since'), ms);
    });

  for (const raw of ['10', '1w', '-1s', '1.5h', 'm', '', '0s'])
    it(`refuses ${JSON.stringify(raw)}, naming the flag`, () => {
      assert.throws(() => parseDuration(raw, '--every'), /--every must be a whole number and a unit/);
    });

  it('takes 0 where the caller allows it', () => {
    assert.equal(parseDuration('0s', '--since', { allowZero: true }), 0);
  });
});
