// The agent's life on a host: an Ed25519 identity kept in its state directory, enrolment with a token (N uses, an
// expiry), and an on-disk outbox of signed DSSE envelopes that is flushed oldest first and survives an unreachable server.
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { keyIdOf, REPORT_PAYLOAD_TYPE, signEnvelope } from '../shared/dsse.js';
import { BulkheadError, UsageError } from '../shared/errors.js';
import {
  INVENTORY_QUERY_MAX,
  INVENTORY_QUERY_PAYLOAD_TYPE,
  inventoryAnswerSchema,
  UNKNOWN_INVENTORY,
  type FleetReport,
  type ImageInventory,
} from '../shared/fleet-report.js';
import { inventoryHash } from '../shared/inventory-hash.js';

export interface AgentState {
  readonly dir: string;
  readonly key: KeyObject;
  readonly hostId: string;
}

const enrolmentSchema = z.object({
  server: z.string(),
  hostId: z.string(),
  labels: z.record(z.string(), z.string()),
});

function writeAtomic(path: string, data: string, mode = 0o600): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data, { mode });
  renameSync(tmp, path);
}

/** Loads the agent's key from DIR/agent-key.pem, creating one (mode 0600) on first use. */
export function loadIdentity(dir: string): AgentState {
  try {
    mkdirSync(join(dir, 'outbox'), { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new BulkheadError('INPUT_UNREADABLE', `cannot create the agent state directory ${dir}`, {
      subject: dir,
      hint: 'pass --state DIR with a directory the agent may write (it keeps its key and outbox there)',
      cause: error,
    });
  }
  const keyPath = join(dir, 'agent-key.pem');
  let key: KeyObject;
  if (existsSync(keyPath)) {
    try {
      key = createPrivateKey(readFileSync(keyPath, 'utf8'));
    } catch (error) {
      throw new BulkheadError('INPUT_INVALID', `${keyPath} is not a private key`, {
        subject: keyPath,
        hint: 'remove it and enrol again with a new token',
        cause: error,
      });
    }
  } else {
    key = generateKeyPairSync('ed25519').privateKey;
    writeAtomic(keyPath, key.export({ type: 'pkcs8', format: 'pem' }).toString());
  }
  return { dir, key, hostId: keyIdOf(createPublicKey(key)) };
}

export function enrolment(state: AgentState): z.infer<typeof enrolmentSchema> | undefined {
  const path = join(state.dir, 'enrolment.json');
  if (!existsSync(path)) return undefined;
  const parsed = enrolmentSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  return parsed.success ? parsed.data : undefined;
}

async function post(
  url: string,
  body: string,
  timeoutMs = 30_000,
): Promise<{ status: number; json: unknown }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON: keep the text for the message
  }
  return { status: response.status, json };
}

const apiErrorSchema = z.object({ error: z.string(), message: z.string() });

function describeAnswer(json: unknown): string {
  const parsed = apiErrorSchema.safeParse(json);
  return parsed.success ? `${parsed.data.error}: ${parsed.data.message}` : JSON.stringify(json).slice(0, 200);
}

export async function enrol(
  state: AgentState,
  server: string,
  token: string,
  name: string,
  labels: Readonly<Record<string, string>>,
): Promise<{ hostId: string }> {
  const publicKey = createPublicKey(state.key).export({ type: 'spki', format: 'pem' }).toString();
  let answer: { status: number; json: unknown };
  try {
    answer = await post(`${server}/api/v1/enrol`, JSON.stringify({ token, publicKey, name, labels }));
  } catch (error) {
    throw new BulkheadError('INPUT_UNREADABLE', `cannot reach the fleet server at ${server} to enrol`, {
      subject: server,
      hint: 'check --server URL and that `bulkhead server` runs',
      cause: error,
    });
  }
  if (answer.status !== 201)
    throw new UsageError(`enrolment refused by ${server}: ${describeAnswer(answer.json)}`, {
      hint: 'create a fresh token with `bulkhead server token create` (--uses N to enrol N agents with one)',
    });
  const parsed = z
    .object({ hostId: z.string(), labels: z.record(z.string(), z.string()) })
    .parse(answer.json);
  writeAtomic(
    join(state.dir, 'enrolment.json'),
    `${JSON.stringify({ server, hostId: parsed.hostId, labels: parsed.labels })}\n`,
  );
  return { hostId: parsed.hostId };
}

// an inventory object's hash, kept while the object lives (a long-running agent or the benchmark's pushers pass the
// same inventory objects again)
const hashes = new WeakMap<ImageInventory, string>();
function hashOf(image: ImageInventory): string {
  let hash = hashes.get(image);
  if (hash === undefined) {
    hash = inventoryHash(image);
    hashes.set(image, hash);
  }
  return hash;
}

/**
 * Asks the server (a signed question, `POST /api/v1/inventories/missing`) which of the report's inventories it
 * still needs and answers the report with every other image as a reference {digest, inventoryHash}. Any failure
 * to ask (server down, old server, odd answer) keeps the report in full: references only save bytes.
 */
export async function referenceKnownInventories(
  server: string,
  key: KeyObject,
  report: FleetReport,
): Promise<FleetReport> {
  if (report.images.length === 0 || report.images.length > INVENTORY_QUERY_MAX) return report;
  const inventories = report.images.map((i) => ({ digest: i.digest, inventoryHash: hashOf(i) }));
  const question = Buffer.from(JSON.stringify({ inventories }), 'utf8');
  let answer: { status: number; json: unknown };
  try {
    answer = await post(
      `${server}/api/v1/inventories/missing`,
      JSON.stringify(signEnvelope(INVENTORY_QUERY_PAYLOAD_TYPE, question, key)),
    );
  } catch {
    return report;
  }
  const parsed = inventoryAnswerSchema.safeParse(answer.json);
  if (answer.status !== 200 || !parsed.success) return report;
  const missing = new Set(parsed.data.missing.map((m) => `${m.digest} ${m.inventoryHash}`));
  const full = report.images.filter((_, n) => {
    const i = inventories[n];
    return i === undefined || missing.has(`${i.digest} ${i.inventoryHash}`);
  });
  const references = inventories.filter((i) => !missing.has(`${i.digest} ${i.inventoryHash}`));
  if (references.length === 0) return report;
  return { ...report, images: full, references: [...(report.references ?? []), ...references] };
}

/** A report as the signed envelope the server takes (the JSON text that is POSTed) and its payload hash. */
export function signReport(key: KeyObject, report: FleetReport): { envelope: string; hash: string } {
  const body = Buffer.from(JSON.stringify(report), 'utf8');
  const hash = createHash('sha256').update(body).digest('hex');
  return { envelope: JSON.stringify(signEnvelope(REPORT_PAYLOAD_TYPE, body, key)), hash };
}

/**
 * Signs a report and puts it in the outbox (file name: creation time, then payload hash, so order is kept). When
 * `full` is the same report with every inventory (the queued one carries references), it is signed and kept next
 * to it (NAME.full), to be sent once if the server refuses a reference (422 unknown-inventory).
 */
export function queueReport(state: AgentState, report: FleetReport, full?: FleetReport): string {
  const { envelope, hash } = signReport(state.key, report);
  const name = `${String(Date.parse(report.createdAt)).padStart(15, '0')}-${hash}.json`;
  if (full !== undefined && full !== report)
    writeAtomic(join(state.dir, 'outbox', `${name}.full`), signReport(state.key, full).envelope);
  writeAtomic(join(state.dir, 'outbox', name), envelope);
  return hash;
}

/**
 * POSTs a signed report; when the server refuses one of its references (422 unknown-inventory: it no longer or
 * never had that inventory) and the full form is at hand, sends that once instead. Answers the last answer.
 */
export async function deliverReport(
  server: string,
  envelope: string,
  full: (() => string | undefined) | undefined,
): Promise<{ status: number; json: unknown; resent: boolean }> {
  const answer = await post(`${server}/api/v1/reports`, envelope);
  const code = apiErrorSchema.safeParse(answer.json);
  if (answer.status !== 422 || !code.success || code.data.error !== UNKNOWN_INVENTORY)
    return { ...answer, resent: false };
  const fullEnvelope = full?.();
  if (fullEnvelope === undefined) return { ...answer, resent: false };
  return { ...(await post(`${server}/api/v1/reports`, fullEnvelope)), resent: true };
}

export interface FlushResult {
  readonly delivered: number;
  readonly duplicates: number;
  readonly rejected: { file: string; reason: string }[];
  readonly pending: number;
  /** Why delivery stopped early (server unreachable or failing), when it did. */
  readonly stopped?: string;
}

/** Sends queued envelopes oldest first; keeps them on a network error or 5xx, drops them once the server has them. */
export async function flushOutbox(state: AgentState, server: string): Promise<FlushResult> {
  const outbox = join(state.dir, 'outbox');
  const files = readdirSync(outbox)
    .filter((f) => f.endsWith('.json'))
    .sort();
  let delivered = 0;
  let duplicates = 0;
  const rejected: { file: string; reason: string }[] = [];
  for (const [i, file] of files.entries()) {
    const path = join(outbox, file);
    const fullPath = `${path}.full`;
    let answer: { status: number; json: unknown };
    try {
      answer = await deliverReport(server, readFileSync(path, 'utf8'), () =>
        existsSync(fullPath) ? readFileSync(fullPath, 'utf8') : undefined,
      );
    } catch (error) {
      return {
        delivered,
        duplicates,
        rejected,
        pending: files.length - i,
        stopped: `server unreachable: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
    if (answer.status === 201) delivered += 1;
    else if (answer.status === 409)
      duplicates += 1; // already stored, or superseded by a newer report
    else if (answer.status >= 400 && answer.status < 500) {
      // the server will never take this one: keep it aside for a human, do not block the queue
      mkdirSync(join(outbox, 'rejected'), { recursive: true });
      renameSync(path, join(outbox, 'rejected', file));
      rmSync(fullPath, { force: true });
      rejected.push({ file, reason: describeAnswer(answer.json) });
      continue;
    } else
      return {
        delivered,
        duplicates,
        rejected,
        pending: files.length - i,
        stopped: `server answered ${answer.status}: ${describeAnswer(answer.json)}`,
      };
    rmSync(fullPath, { force: true });
    rmSync(path, { force: true });
  }
  return { delivered, duplicates, rejected, pending: 0 };
}

export function readAuthzSince(state: AgentState): string | undefined {
  const path = join(state.dir, 'authz-since');
  return existsSync(path) ? readFileSync(path, 'utf8').trim() : undefined;
}

export function writeAuthzSince(state: AgentState, at: string): void {
  writeAtomic(join(state.dir, 'authz-since'), `${at}\n`);
}
