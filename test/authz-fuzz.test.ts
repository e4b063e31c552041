// Property and fuzz tests for the request decoder: malformed JSON, arbitrary bytes, huge bodies, unknown routes
// and garbage plugin payloads always end in a deny with a clear message, never a crash; the JSON parser agrees
// with JSON.parse on valid documents; key casing never changes a decision (Go matches keys case-insensitively).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { evaluate } from '../src/authz/evaluate.js';
import { parseFirstJsonValue, type JsonNode } from '../src/authz/go-json.js';
import { parsePolicy } from '../src/authz/policy.js';
import type { AuthzRequest } from '../src/authz/protocol.js';
import { decodeRequest } from '../src/authz/request.js';
import { StaticResolver } from '../src/authz/resolver.js';
import { AuthzEngine } from '../src/authz/server.js';

const POLICY_TEXT = `
version: 1
anonymous: { roles: [r] }
roles:
  r:
    - allow: ['@all']
`;
const policy = parsePolicy(POLICY_TEXT, 'fuzz.yaml');
const resolver = new StaticResolver([{ id: 'a'.repeat(64), names: ['web'] }]);
const RUNS = Number(process.env['BULKHEAD_FUZZ_RUNS'] ?? 300);

function toJs(node: JsonNode): unknown {
  switch (node.t) {
    case 'null':
      return null;
    case 'bool':
      return node.v;
    case 'num':
      return Number(node.raw);
    case 'str':
      return node.v;
    case 'arr':
      return node.items.map(toJs);
    case 'obj': {
      const out: Record<string, unknown> = {};
      for (const [k, v] of node.entries) {
        Object.defineProperty(out, k, {
          value: toJs(v),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    }
    default:
      return node satisfies never;
  }
}

function createReq(body: Buffer | string, uri = '/v1.41/containers/create'): AuthzRequest {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  return {
    RequestMethod: 'POST',
    RequestUri: uri,
    RequestBody: bytes.toString('base64'),
    RequestHeaders: { 'Content-Type': 'application/json', 'Content-Length': String(bytes.length) },
  };
}

async function decide(req: AuthzRequest): Promise<{ allow: boolean; msg: string }> {
  return evaluate(policy, decodeRequest(req), resolver);
}

describe('authz fuzz: the decoder never crashes and denies what it cannot read', () => {
  it('agrees with JSON.parse on every valid JSON document', () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        const parsed = parseFirstJsonValue(text);
        assert.equal(parsed.trailing, false);
        assert.deepEqual(toJs(parsed.node), JSON.parse(text));
      }),
      { numRuns: RUNS * 3 },
    );
  });

  it('arbitrary bytes as a create body: a decision, and a message on every deny', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), async (bytes) => {
        const d = await decide(createReq(Buffer.from(bytes)));
        if (!d.allow) assert.match(d.msg, /^bulkhead: denied .+: .+/);
      }),
      { numRuns: RUNS },
    );
  });

  it('truncated or corrupted valid bodies are denied as malformed or decided on what Go reads', async () => {
    const body = JSON.stringify({ Image: 'busybox', HostConfig: { Privileged: true, Binds: ['/etc:/x'] } });
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: body.length - 1 }),
        fc.string({ minLength: 1, maxLength: 1 }),
        async (cut, ch) => {
          const broken = body.slice(0, cut) + ch + body.slice(cut + 1);
          const d = await decide(createReq(body.slice(0, cut)));
          assert.equal(d.allow, false);
          assert.match(d.msg, /malformed JSON|no body|not a JSON object|reject/);
          const d2 = await decide(createReq(broken));
          assert.equal(typeof d2.allow, 'boolean');
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('random URIs and methods: unknown routes are denied with the reason, never thrown', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'PATCH', 'OPTIONS', 'TRACE', ''),
        fc.string({ maxLength: 80 }),
        async (method, tail) => {
          const d = await decide({ RequestMethod: method, RequestUri: `/v1.41/${tail}` });
          if (!d.allow) assert.ok(d.msg.length > 20, d.msg);
        },
      ),
      { numRuns: RUNS },
    );
    const d = await decide({ RequestMethod: 'GET', RequestUri: '/v1.41/containers/web/nonsense' });
    assert.match(d.msg, /no Engine API route for GET \/containers\/web\/nonsense/);
  });

  it('key casing never changes the decision on a privileged create', async () => {
    const strictPolicy = parsePolicy(
      'version: 1\nanonymous: {roles: [r]}\nroles:\n  r:\n    - allow: [container_create]\n',
      'p.yaml',
    );
    const randomCase = (word: string): fc.Arbitrary<string> =>
      fc.array(fc.boolean(), { minLength: word.length, maxLength: word.length }).map((flips) =>
        Array.from(word)
          .map((c, i) => (flips[i] === true ? c.toUpperCase() : c.toLowerCase()))
          .join(''),
      );
    await fc.assert(
      fc.asyncProperty(randomCase('HostConfig'), randomCase('Privileged'), async (hc, priv) => {
        const req = createReq(`{"Image":"busybox","${hc}":{"${priv}":true}}`);
        const d = await evaluate(strictPolicy, decodeRequest(req), resolver);
        assert.equal(d.allow, false, `${hc}/${priv}`);
        assert.match(d.msg, /privileged/);
      }),
      { numRuns: RUNS },
    );
  });

  it('bodies of 1 MiB and more are denied: dockerd does not forward them', async () => {
    const padding = 'x'.repeat(1024 * 1024);
    const big = `{"Image":"busybox","Labels":{"pad":"${padding}"}}`;
    const d = await decide(createReq(big));
    assert.equal(d.allow, false);
    assert.match(d.msg, /over dockerd's 1 MiB authz limit/);
  });

  const dir = mkdtempSync(join(tmpdir(), 'bh-fuzz-'));
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('garbage plugin payloads get a protocol deny, never an exception', async () => {
    const policyFile = join(dir, 'p.yaml');
    writeFileSync(policyFile, POLICY_TEXT);
    const engine = new AuthzEngine({ policyFile, resolver, deadlineMs: 500, log: () => undefined });
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc.json(),
          fc
            .record({ RequestMethod: fc.anything(), RequestUri: fc.anything(), RequestBody: fc.anything() })
            .map((r) => JSON.stringify(r)),
        ),
        async (payload) => {
          const answer = await engine.handle('/AuthZPlugin.AuthZReq', payload);
          assert.equal(answer.status, 200);
          const body = answer.body as { Allow: boolean; Msg: string };
          assert.equal(typeof body.Allow, 'boolean');
          if (!body.Allow) assert.match(body.Msg, /^bulkhead: denied/);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
