// src/shared/systemd-unit.ts: the one unit renderer and quoting for every `install` (authz, watch, server, agent).
// Each quoted form below is checked by systemd itself in test/agent/install.test.ts (verify finds the binary only
// when its path is read back right); here the table pins the forms.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { execLine, quoteWord, renderUnit, timeSpan } from '../../src/shared/systemd-unit.js';

describe('execLine', () => {
  const cases: readonly (readonly [readonly string[], string])[] = [
    [
      ['/usr/bin/node', '/opt/bh/bin/bulkhead.js', 'agent', '--once'],
      '/usr/bin/node /opt/bh/bin/bulkhead.js agent --once',
    ],
    [['/opt/b h/bulkhead', 'a b'], '"/opt/b h/bulkhead" "a b"'],
    // "%" is a specifier everywhere; "$" a variable in arguments only, not in the executable path
    [['/opt/%i/$X/bh', '50%', '$HOME', '${A}'], '"/opt/%%i/$X/bh" "50%%" "$$HOME" "$${A}"'],
    [['/bin/bh', 'say "hi"', 'back\\slash', ''], '/bin/bh "say \\"hi\\"" "back\\\\slash" ""'],
    [['/bin/bh', ';', 'a;b'], '/bin/bh ";" "a;b"'],
  ];
  for (const [argv, line] of cases)
    it(JSON.stringify(argv), () => {
      assert.equal(execLine(argv), line);
    });

  it('refuses control characters anywhere and quotes or backslashes in the executable path', () => {
    assert.throws(
      () => execLine(['/bin/bh', 'a\nExecStartPre=/bin/rm -rf /']),
      /contains a control character/,
    );
    assert.throws(() => execLine(['/bin/b\th']), /contains a control character/);
    assert.throws(() => execLine(['/opt/"q"/bh']), /quote or a backslash/);
    assert.throws(() => execLine([]), /needs a command/);
  });
});

describe('renderUnit and friends', () => {
  it('writes sections in order, leaves out undefined values, refuses bad keys and newlines', () => {
    assert.equal(
      renderUnit([
        [
          'Unit',
          [
            ['Description', 'x'],
            ['After', undefined],
          ],
        ],
        [
          'Service',
          [
            ['ExecStart', '/bin/true'],
            ['ReadWritePaths', quoteWord('/var/lib/a b')],
          ],
        ],
      ]),
      '[Unit]\nDescription=x\n\n[Service]\nExecStart=/bin/true\nReadWritePaths="/var/lib/a b"\n',
    );
    assert.throws(
      () => renderUnit([['Service', [['Exec Start', '/bin/true']]]]),
      /not a unit directive name/,
    );
    assert.throws(() => renderUnit([['Unit', [['Description', 'a\n[Service]']]]]), /control character/);
  });

  it('timeSpan uses the largest unit that divides the span', () => {
    const cases: readonly (readonly [number, string])[] = [
      [86_400_000, '1d'],
      [3_600_000, '1h'],
      [900_000, '15min'],
      [90_000, '90s'],
      [200, '1s'],
    ];
    for (const [ms, span] of cases) assert.equal(timeSpan(ms), span);
  });
});
