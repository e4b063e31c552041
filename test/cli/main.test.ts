import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commandsFor } from '../../src/cli/main.js';

describe('commandsFor: only the invoked command module is loaded', () => {
  const all = ['info', 'audit', 'scan', 'db', 'lint', 'authz', 'watch', 'server', 'agent'];
  const cases: readonly { argv: string[]; expected: string[] }[] = [
    { argv: ['audit', '--fail-on', 'high'], expected: ['audit'] },
    { argv: ['--no-color', 'lint', 'Dockerfile'], expected: ['lint'] },
    { argv: ['db', 'status'], expected: ['db'] },
    { argv: ['--version'], expected: [] },
    { argv: ['-V'], expected: [] },
    { argv: [], expected: all },
    { argv: ['--help'], expected: all },
    { argv: ['help', 'scan'], expected: all },
    { argv: ['frobnicate'], expected: all },
  ];
  for (const c of cases) {
    it(c.argv.join(' ') || '(no arguments)', () => {
      assert.deepEqual(commandsFor(['node', 'bulkhead', ...c.argv]), c.expected);
    });
  }
});
