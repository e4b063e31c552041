// `tsx test/harness/engine-cli.ts start DIR | stop DIR`: starts or stops the suite's shared engine for scripts/test.sh.
import { readFileSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { importBusybox, startEngine, unmountBelow } from './engine.js';
import { BUSYBOX_IMAGE } from './shared-engine.js';

const [verb, dir] = process.argv.slice(2);
if (dir === undefined || (verb !== 'start' && verb !== 'stop')) {
  console.error('usage: engine-cli.ts start|stop DIR');
  process.exit(2);
}

if (verb === 'start') {
  const engine = await startEngine({ dir });
  importBusybox(engine, BUSYBOX_IMAGE);
  console.log(engine.host);
} else {
  const pidfile = join(dir, 'docker.pid');
  if (existsSync(pidfile)) {
    const pid = Number(readFileSync(pidfile, 'utf8').trim());
    try {
      process.kill(pid, 'SIGTERM');
      for (let i = 0; i < 150; i += 1) {
        process.kill(pid, 0);
        await sleep(100);
      }
      process.kill(pid, 'SIGKILL');
    } catch {
      // exited
    }
  }
  unmountBelow(dir);
  rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}
