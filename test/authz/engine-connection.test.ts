// How `bulkhead authz serve --host` reaches dockerd (src/authz/resolver.ts engineConnection, built by the CLI itself
// before): "none" turns every lookup off with a reason, unix:///path resolves over that socket with a secret header,
// anything else is a usage error naming the flag.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { engineConnection } from '../../src/authz/resolver.js';
import { UsageError } from '../../src/shared/errors.js';

const timing = { deadlineMs: 1000, cacheMs: 500 };

describe('engineConnection', () => {
  it('none: no socket, no token, every lookup refused with the reason', async () => {
    const c = engineConnection('none', timing);
    assert.equal(c.engineSocket, undefined);
    assert.equal(c.internalToken, undefined);
    assert.equal(c.engineInfo, undefined);
    await assert.rejects(c.resolver.container('web'), /container resolution is off \(--docker-host none\)/);
    await assert.rejects(c.resolver.exec('abc'), /exec resolution is off/);
    await assert.rejects(c.resolver.mountsInUse(), /mount lookups are off/);
  });

  it('unix:///path: the socket and a per-process secret header', () => {
    const c = engineConnection('unix:///run/docker.sock', timing);
    assert.equal(c.engineSocket, '/run/docker.sock');
    assert.match(c.internalToken ?? '', /^[0-9a-f]{48}$/);
    assert.notEqual(engineConnection('unix:///run/docker.sock', timing).internalToken, c.internalToken);
    assert.equal(typeof c.engineInfo, 'function');
  });

  for (const host of ['tcp://127.0.0.1:2375', '/run/docker.sock', ''])
    it(`refuses ${JSON.stringify(host)}`, () => {
      assert.throws(
        () => engineConnection(host, timing),
        (e: unknown) =>
          e instanceof UsageError && e.message.includes('must be unix:///path/to/docker.sock or none'),
      );
    });
});
