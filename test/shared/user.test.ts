// Table test of the one root-user predicate: every form the four old copies disagreed on, decided by runc's
// libcontainer/user GetExecUser (strconv.Atoi for numbers, exact names from /etc/passwd) as dockerd 20.10 uses it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { goAtoi, isRootUser, parseUserSpec, passwdUid, uidOfUser } from '../../src/shared/user.js';

const PASSWD =
  'root:x:0:0:root:/root:/bin/sh\n  toor:x:0:0::/:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\nodd:x::0::/:/bin/sh\n';

// [spec, root without passwd (default = root), root with PASSWD, why]
const CASES: readonly (readonly [string, boolean, boolean, string])[] = [
  ['', true, true, 'no user: the image default, root unless the image sets USER (runc default uid 0)'],
  [':1000', true, true, 'only a group: the user part is still the default'],
  ['0', true, true, 'uid 0'],
  ['00', true, true, 'Atoi("00") = 0'],
  ['+0', true, true, 'Atoi accepts a sign: +0 = 0'],
  ['-0', true, true, 'Atoi("-0") = 0'],
  ['+0:+0', true, true, 'signed uid and gid'],
  ['0:0', true, true, 'uid 0 with gid 0'],
  ['0:1000', true, true, 'uid 0 whatever the group'],
  ['0000000000000000000000', true, true, 'leading zeros do not overflow'],
  ['root', true, true, 'the name root (uid 0 in every base image)'],
  ['root:root', true, true, 'root with a group'],
  ['ROOT', false, false, 'names are case-sensitive: runc finds no user ROOT and the process never starts'],
  ['Root', false, false, 'likewise'],
  ['toor', false, true, 'a name /etc/passwd maps to uid 0 (the line is trimmed, as runc trims it)'],
  ['odd', false, true, 'an empty uid field: runc ignores the Atoi error, uid 0'],
  ['1000', false, false, 'uid 1000'],
  ['+1000', false, false, 'signed non-zero'],
  ['1000:0', false, false, 'gid 0 is not uid 0'],
  ['app', false, false, 'a normal name'],
  [' 0', false, false, 'Atoi refuses spaces: a name " 0", which does not exist'],
  ['0 ', false, false, 'likewise'],
  ['0x0', false, false, 'not decimal: a name'],
  ['-1', false, false, 'negative: runc refuses it (ErrRange)'],
  ['4294967296', false, false, 'beyond 2^31-1: runc refuses it'],
  ['99999999999999999999', false, false, 'beyond int64: Atoi fails, so a name that does not exist'],
  ['\u0660', false, false, 'Arabic-Indic zero: Atoi takes ASCII digits only'],
  ['containeradministrator', false, false, 'a Linux name (see the Windows table)'],
];

describe('shared root-user predicate (runc GetExecUser semantics)', () => {
  for (const [spec, bare, withPasswd, why] of CASES) {
    it(`${JSON.stringify(spec)}: ${why}`, () => {
      assert.equal(isRootUser(spec, { defaultIsRoot: true }), bare, 'without /etc/passwd');
      assert.equal(isRootUser(spec, { defaultIsRoot: true, passwd: PASSWD }), withPasswd, 'with /etc/passwd');
    });
  }
  it('the default user is root only when the caller says so (a Dockerfile with no USER is judged elsewhere)', () => {
    assert.equal(isRootUser('', { defaultIsRoot: false }), false);
    assert.equal(isRootUser(':0', { defaultIsRoot: false }), false);
  });
  it('Windows: ContainerAdministrator in any case is the administrator', () => {
    for (const spec of ['ContainerAdministrator', 'containeradministrator', 'CONTAINERADMINISTRATOR']) {
      assert.equal(isRootUser(spec, { defaultIsRoot: false, windows: true }), true, spec);
    }
    assert.equal(isRootUser('ContainerUser', { defaultIsRoot: false, windows: true }), false);
  });
  it('parses like runc parseLine + strconv.Atoi', () => {
    assert.deepEqual(parseUserSpec('+0:+0'), { kind: 'uid', uid: 0, group: '+0' });
    assert.deepEqual(parseUserSpec('app:staff:extra'), { kind: 'name', name: 'app', group: 'staff' });
    assert.equal(parseUserSpec('-5').kind, 'invalid');
    assert.equal(goAtoi('+007'), 7n);
    assert.equal(goAtoi('9223372036854775808'), undefined);
    assert.equal(goAtoi('-9223372036854775808'), -9223372036854775808n);
    assert.equal(passwdUid('app', PASSWD), 1000);
    assert.equal(passwdUid('nobody', PASSWD), undefined);
    assert.equal(uidOfUser('toor', PASSWD), 0);
    assert.equal(uidOfUser('toor'), undefined);
  });
});
