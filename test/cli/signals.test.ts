// The one stop-signal wait (src/cli/signals.ts) of watch, watch net, server and agent --every: the first SIGTERM or
// SIGINT resolves it and removes its listeners; dispose() removes them when the command ends another way.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { onStopSignal } from '../../src/cli/signals.js';

const listeners = (): number[] => [process.listenerCount('SIGTERM'), process.listenerCount('SIGINT')];

describe('onStopSignal', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const)
    it(`resolves on ${signal} and stops listening`, async () => {
      const before = listeners();
      const stop = onStopSignal();
      assert.deepEqual(
        listeners(),
        before.map((n) => n + 1),
      );
      assert.equal(stop.stopped(), false);
      process.emit(signal, signal);
      assert.equal(await stop.received, signal);
      assert.equal(stop.stopped(), true);
      assert.deepEqual(listeners(), before);
    });

  it('dispose() stops listening without a signal', () => {
    const before = listeners();
    const stop = onStopSignal();
    stop.dispose();
    assert.deepEqual(listeners(), before);
    assert.equal(stop.stopped(), false);
  });
});
