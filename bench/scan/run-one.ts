// One measured scan in a fresh process (so peak RSS is this scan's): prints {ms, cpuMs, maxRssMiB, packages, ...}.
// Usage: node --import tsx bench/scan/run-one.ts TARGET [DB]
import { scanImage } from '../../src/scan/index.js';
import { openVulnDb } from '../../src/vulndb/db.js';

const [target, dbPath] = process.argv.slice(2);
if (target === undefined) {
  console.error('usage: run-one.ts TARGET [DB]');
  process.exit(2);
}
const db = dbPath === undefined ? undefined : openVulnDb(dbPath);
const baselineMiB = process.resourceUsage().maxRSS / 1024;
const cpuStart = process.cpuUsage();
const start = performance.now();
const result = await scanImage(target, { env: process.env, db });
const ms = performance.now() - start;
const cpu = process.cpuUsage(cpuStart);
db?.close();
console.log(
  JSON.stringify({
    ms: Math.round(ms),
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    baselineRssMiB: Math.round(baselineMiB),
    packages: result.facts.packages.length,
    findings: result.findings.filter((f) => f.outcome.kind === 'fail').length,
    layers: result.facts.layers.length,
  }),
);
