import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { BUSYBOX_IMAGE, engineSuite, sharedEngine, type SharedEngine } from './shared-engine.js';

describe('test engine harness', engineSuite, () => {
  let engine: SharedEngine;
  before(() => {
    engine = sharedEngine();
  });
  it('is a private daemon with no bridge and the runsc runtime', () => {
    const info = JSON.parse(engine.docker(['info', '--format', '{{json .}}'])) as {
      Runtimes: Record<string, unknown>;
      DockerRootDir: string;
    };
    assert.ok('runsc' in info.Runtimes);
    assert.ok(
      info.DockerRootDir.startsWith(engine.dir),
      `data root ${info.DockerRootDir} under ${engine.dir}`,
    );
    const networks = engine.docker(['network', 'ls', '--format', '{{.Name}}']).split('\n');
    assert.ok(!networks.includes('bridge'), `no bridge network: ${networks.join(',')}`);
  });
  it('runs the busybox fixture image with no network', () => {
    assert.equal(engine.docker(['run', '--rm', BUSYBOX_IMAGE, 'echo', 'hello']).trim(), 'hello');
  });
});
