import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputError } from '../../src/shared/errors.js';
import { parseJsonText, positionOf } from '../../src/shared/json.js';

describe('parseJsonText', () => {
  it('parses valid JSON', () => {
    assert.deepEqual(parseJsonText('{"a":[1]}', 'x.json'), { a: [1] });
  });
  const bad: readonly { text: string; position: string }[] = [
    { text: '{\n  "a": 1,\n  "b" 2\n}', position: '3:7' },
    { text: '{"a":', position: '1:6' },
    { text: '{\n "icc": false,\n}', position: '3:1' },
  ];
  for (const c of bad) {
    it(`reports ${JSON.stringify(c.text)} at ${c.position}`, () => {
      assert.throws(
        () => parseJsonText(c.text, '/etc/docker/daemon.json'),
        (error: unknown) =>
          error instanceof InputError &&
          error.position === c.position &&
          error.message.startsWith(`/etc/docker/daemon.json:${c.position}: invalid JSON`),
      );
    });
  }
  it('maps offsets to 1-based line and column', () => {
    assert.deepEqual(positionOf('ab\ncd', 4), { line: 2, column: 2 });
  });
});
