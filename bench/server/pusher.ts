// One pusher process of the server benchmark: signs each simulated host's report (DSSE, Ed25519) just before it is
// sent and POSTs it with `concurrency` requests in flight, so the server process is measured alone. Prints one JSON
// line {pushed, errors, ms} on stdout. Spawned by bench/server/server.ts, which passes the keys file.
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { REPORT_PAYLOAD_TYPE, signEnvelope } from '../../src/shared/dsse.js';
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
let next = from;
let pushed = 0;
const errors: string[] = [];
const worker = async (): Promise<void> => {
  while (next < to && Date.now() - started < budget) {
    const index = next;
    next += 1;
    const key = createPrivateKey(keys[index] ?? '');
    const report = makeReport(shape, images, index);
    const body = JSON.stringify(signEnvelope(REPORT_PAYLOAD_TYPE, Buffer.from(JSON.stringify(report)), key));
    const response = await fetch(`${values.url ?? ''}/api/v1/reports`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    const text = await response.text();
    if (response.status === 201) pushed += 1;
    else if (errors.length < 5) errors.push(`${response.status} ${text.slice(0, 200)}`);
  }
};
await Promise.all(Array.from({ length: Number(values.concurrency) }, worker));
process.stdout.write(`${JSON.stringify({ pushed, errors, ms: Date.now() - started })}\n`);
