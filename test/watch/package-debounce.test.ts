// When watch --host re-reads a changed package database (PackageDbDebounce in src/watch/host.ts): after the stamp
// has been still for the quiet period, or the longest wait after the first unread change while writes go on; never
// for the stamp of the last read. Times are passed in (ms), not slept.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PackageDbDebounce } from '../../src/watch/host.js';

interface Step {
  readonly at: number;
  readonly stamp: string;
  readonly due: boolean;
  /** The caller re-read after this step (its stamp becomes the read one). */
  readonly reread?: true;
}

const cases: { name: string; steps: Step[] }[] = [
  {
    name: 'an unchanged database is never due',
    steps: [
      { at: 0, stamp: 'a', due: false },
      { at: 10_000, stamp: 'a', due: false },
    ],
  },
  {
    name: 'one write is due once still for the quiet period, then not again',
    steps: [
      { at: 0, stamp: 'b', due: false },
      { at: 250, stamp: 'b', due: false },
      { at: 500, stamp: 'b', due: true, reread: true },
      { at: 750, stamp: 'b', due: false },
    ],
  },
  {
    name: 'writes that go on are due at the longest wait after the first unread one',
    steps: [
      { at: 0, stamp: 'b', due: false },
      { at: 400, stamp: 'c', due: false },
      { at: 800, stamp: 'd', due: false },
      { at: 2_900, stamp: 'e', due: false },
      { at: 3_000, stamp: 'f', due: true, reread: true },
      { at: 3_250, stamp: 'g', due: false },
      { at: 3_750, stamp: 'g', due: true },
    ],
  },
  {
    name: 'a change undone before the quiet period ends is not due',
    steps: [
      { at: 0, stamp: 'b', due: false },
      { at: 250, stamp: 'a', due: false },
      { at: 5_000, stamp: 'a', due: false },
    ],
  },
];

describe('PackageDbDebounce', () => {
  for (const c of cases)
    it(c.name, () => {
      const d = new PackageDbDebounce('a', 500, 3000);
      for (const s of c.steps) {
        assert.equal(d.note(s.stamp, s.at), s.due, `at ${s.at} ms, stamp ${s.stamp}`);
        if (s.reread === true) d.markRead(s.stamp);
      }
    });

  it('changed() compares with the stamp of the last read', () => {
    const d = new PackageDbDebounce('a');
    assert.equal(d.changed('a'), false);
    assert.equal(d.changed('b'), true);
    d.markRead('b');
    assert.equal(d.changed('b'), false);
  });
});
