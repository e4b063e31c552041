import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputError } from '../../src/shared/errors.js';
import { parseYaml } from '../../src/shared/yaml.js';

describe('parseYaml', () => {
  it('names file and line:column of a syntax error', () => {
    assert.throws(
      () => parseYaml('a: 1\nb: [\n', 'c.yaml'),
      (e: unknown) => e instanceof InputError && /^c\.yaml:\d+:\d+: invalid YAML: /.test(e.message),
    );
  });
  it('rejects duplicate keys unless told otherwise', () => {
    assert.throws(
      () => parseYaml('a: 1\na: 2\n', 'c.yaml'),
      /c\.yaml:2:1: invalid YAML: Map keys must be unique/,
    );
    assert.deepEqual(parseYaml('a: 1\na: 2\n', 'c.yaml', { uniqueKeys: false }).doc.toJS(), { a: 2 });
  });
  it('locates the deepest existing node of a path, and keys', () => {
    const { positionOf, keyPositionOf } = parseYaml(
      'top:\n  list:\n    - x\n    - y: 1\n  other: 2\n',
      'c.yaml',
    );
    assert.equal(positionOf(['top', 'list', 1, 'y']), '4:10');
    assert.equal(positionOf(['top', 'list', 1, 'missing']), '4:7');
    assert.equal(positionOf([]), '1:1');
    assert.equal(keyPositionOf(['top'], 'other'), '5:3');
    assert.equal(keyPositionOf(['top'], 'nope'), undefined);
  });
  it('keeps scalars as strings in failsafe mode', () => {
    assert.deepEqual(parseYaml('expires: 2026-01-31\nn: 5\n', 'c.yaml', { failsafe: true }).doc.toJS(), {
      expires: '2026-01-31',
      n: '5',
    });
  });
  it('lets a command use its own error class', () => {
    class MyError extends Error {}
    assert.throws(() => parseYaml('[', 'c.yaml', { syntaxError: (m) => new MyError(m) }), MyError);
  });
});
