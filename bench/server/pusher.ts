// One pusher process of the server benchmark: asks the server which inventories it still needs and signs each
// simulated host's report (DSSE, Ed25519) with the others as references, like the agent, just before it is sent,
// and POSTs it with `concurrency` requests in flight, so the server process is measured alone. Prints one JSON
// line {pushed, errors, ms} on stdout. Spawned by bench/server/server.ts, which passes the keys file.
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { deliverReport, referenceKnownInventories, signReport } from '../../src/agent/agent.js';
import { makeImages, makeReport, type FleetShape } from './fleet-sim.js';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    keys: { type: 'string' },
    shape: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    concurrency: { type: 'string', default: '8' },
    'budget-ms': { type: 'string', default: '600000' },
  },
});
const shape = JSON.parse(values.shape ?? '{}') as FleetShape;
const keys = JSON.parse(readFileSync(values.keys ?? '', 'utf8')) as string[];
const from = Number(values.from);
const to = Number(values.to);
const budget = Number(values['budget-ms']);
const images = makeImages(shape);
const started = Date.now();
/** This process's CPU (user + system) in ms: the pushers share the 2 cores with the server and PostgreSQL. */
const cpuMs = (): number => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};
let next = from;
let pushed = 0;
let references = 0;
let resent = 0;
const errors: string[] = [];
const worker = async (): Promise<void> => {
  while (next < to && Date.now() - started < budget) {
    const index = next;
    next += 1;
    const key = createPrivateKey(keys[index] ?? '');
    const report = makeReport(shape, images, index);
    // the agent's own path: ask which inventories the server still needs, send the others as references, and
    // the full report once if a reference is refused
    const url = values.url ?? '';
    const sent = await referenceKnownInventories(url, key, report);
    references += sent.references?.length ?? 0;
    const answer = await deliverReport(url, signReport(key, sent).envelope, () =>
      sent === report ? undefined : signReport(key, report).envelope,
    );
    if (answer.resent) resent += 1;
    if (answer.status === 201) pushed += 1;
    else if (errors.length < 5) errors.push(`${answer.status} ${JSON.stringify(answer.json).slice(0, 200)}`);
  }
};
await Promise.all(Array.from({ length: Number(values.concurrency) }, worker));
process.stdout.write(
  `${JSON.stringify({ pushed, references, resent, errors, ms: Date.now() - started, cpuMs: cpuMs() })}\n`,
);
