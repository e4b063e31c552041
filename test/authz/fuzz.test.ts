// Property and fuzz tests for the request decoder: malformed JSON, arbitrary bytes, huge bodies, unknown routes
// and garbage plugin payloads always end in a deny with a clear message, never a crash; the JSON parser agrees
// with JSON.parse on valid documents; key casing never changes a decision (Go matches keys case-insensitively).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { evaluate } from '../../src/authz/evaluate.js';
import { parseFirstJsonValue, type JsonNode } from '../../src/authz/go-json.js';
import { parsePolicy } from '../../src/authz/policy.js';
import type { AuthzRequest } from '../../src/authz/protocol.js';
import { decodeRequest } from '../../src/authz/request.js';
import { StaticResolver } from '../../src/authz/resolver.js';
import { AuthzEngine } from '../../src/authz/server.js';

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

// Issue 9 acceptance: generated Go-equivalent encodings of the same dangerous settings — key case variants (with
// the long s and Kelvin sign Go folds), nested under HostConfig or at the top level, duplicate keys whose last
// value is the dangerous one, \u escapes in keys and values, random whitespace — sent as a create body and as an
// API < 1.24 start body (which dockerd decodes with the same ContainerConfigWrapper) are all denied.
describe('authz fuzz: every encoding of a dangerous HostConfig is denied (create and old-API start)', () => {
  const strictPolicy = parsePolicy(
    'version: 1\nanonymous: {roles: [r]}\nroles:\n  r:\n    - allow: [container_create, container_start]\n',
    'p.yaml',
  );
  type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
  const DANGEROUS: readonly (readonly [string, Json, Json, RegExp])[] = [
    // [field, dangerous value, a benign value of the same type, what the deny names]
    ['Privileged', true, false, /privileged/],
    ['Binds', ['/etc:/x'], [], /sensitive path/],
    ['CapAdd', ['sys_admin'], [], /CAP_SYS_ADMIN/],
    ['PidMode', 'host', '', /PidMode=host/],
    ['NetworkMode', 'host', 'none', /NetworkMode=host/],
    ['IpcMode', 'host', '', /IpcMode=host/],
    ['SecurityOpt', ['seccomp=unconfined'], [], /seccomp/],
    ['SecurityOpt', ['apparmor:unconfined'], [], /apparmor/],
    ['Mounts', [{ Type: 'bind', Source: '/', Target: '/host' }], [], /sensitive path/],
    ['Devices', [{ PathOnHost: '/dev/sda', PathInContainer: '/dev/sda' }], [], /devices/],
    ['MaskedPaths', [], null, /MaskedPaths/],
    ['VolumesFrom', ['other'], [], /VolumesFrom/],
    ['OomScoreAdj', -1000, 0, /OomScoreAdj/],
    ['CgroupParent', '/', '', /CgroupParent/],
  ];
  const caseVariant = (word: string): fc.Arbitrary<string> =>
    fc.array(fc.nat({ max: 3 }), { minLength: word.length, maxLength: word.length }).map((picks) =>
      Array.from(word)
        .map((c, i) => {
          const pick = picks[i] ?? 0;
          if (c.toLowerCase() === 's' && pick === 3) return '\u017f';
          if (c.toLowerCase() === 'k' && pick === 3) return '\u212a';
          return pick % 2 === 0 ? c.toLowerCase() : c.toUpperCase();
        })
        .join(''),
    );
  /** A JSON string literal with some characters written as \u escapes. */
  const encodeString = (s: string, escapes: readonly boolean[]): string =>
    `"${Array.from(s)
      .map((c, i) => {
        if (c === '"' || c === '\\') return `\\${c}`;
        const code = c.codePointAt(0) ?? 0;
        return escapes[i % Math.max(escapes.length, 1)] === true && code < 0x10000
          ? `\\u${code.toString(16).padStart(4, '0')}`
          : c;
      })
      .join('')}"`;
  const ws = fc.constantFrom('', ' ', '\n', '\t ', '\r\n');
  const encode = (value: Json, escapes: readonly boolean[], space: string): string => {
    if (value === null || typeof value === 'boolean' || typeof value === 'number')
      return JSON.stringify(value);
    if (typeof value === 'string') return encodeString(value, escapes);
    if (Array.isArray(value))
      return `[${space}${value.map((v) => encode(v, escapes, space)).join(`,${space}`)}]`;
    return `{${Object.entries(value)
      .map(([k, v]) => `${encodeString(k, escapes)}:${space}${encode(v, escapes, space)}`)
      .join(',')}}`;
  };
  const scenario = fc.record({
    pick: fc.nat({ max: DANGEROUS.length - 1 }),
    nested: fc.boolean(),
    hostKey: caseVariant('HostConfig'),
    fieldKeyCase: fc.array(fc.nat({ max: 3 }), { minLength: 12, maxLength: 12 }),
    duplicateFirst: fc.boolean(),
    escapes: fc.array(fc.boolean(), { minLength: 1, maxLength: 7 }),
    space: ws,
    start: fc.boolean(),
    version: fc.constantFrom('1.12', '1.18', '1.23', '1.023'),
  });
  it('create bodies and start bodies on API < 1.24', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const [field, bad, benign, msg] = DANGEROUS[s.pick] ?? DANGEROUS[0] ?? ['', null, null, /./];
        const fieldKey = Array.from(field)
          .map((c, i) => {
            const pick = s.fieldKeyCase[i % s.fieldKeyCase.length] ?? 0;
            if (c.toLowerCase() === 's' && pick === 3) return '\u017f';
            return pick % 2 === 0 ? c.toLowerCase() : c.toUpperCase();
          })
          .join('');
        const sp = s.space;
        const entry = (v: Json): string =>
          `${encodeString(fieldKey, s.escapes)}:${sp}${encode(v, s.escapes, sp)}`;
        // a duplicate key: Go applies keys in order, so the later (dangerous) value is what dockerd uses
        const entries = s.duplicateFirst ? `${entry(benign)},${sp}${entry(bad)}` : entry(bad);
        const config = `"Image":${sp}"busybox",${sp}"Cmd":["true"]`;
        const body = s.nested
          ? `{${sp}${config},${sp}${encodeString(s.hostKey, s.escapes)}:${sp}{${sp}${entries}${sp}}${sp}}`
          : `{${sp}${config},${sp}${entries}${sp}}`;
        const uri = s.start ? `/v${s.version}/containers/web/start` : '/v1.41/containers/create';
        const d = await evaluate(strictPolicy, decodeRequest(createReq(body, uri)), resolver);
        assert.equal(d.allow, false, `${uri} ${body}`);
        assert.match(d.msg, msg, body);
      }),
      { numRuns: RUNS * 2 },
    );
  });
});
