// src/shared/kube-manifest.ts: Kubernetes name, label and quantity syntax (the API server's rules) and the YAML
// stream printed through the yaml package, quoted for kubectl's YAML 1.1 reading.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import {
  checkDnsLabel,
  checkQuantity,
  parseKubeLabel,
  renderManifests,
} from '../../src/shared/kube-manifest.js';

describe('parseKubeLabel', () => {
  const valid: readonly (readonly [string, readonly [string, string]])[] = [
    ['env=prod', ['env', 'prod']],
    ['example.com/team=web', ['example.com/team', 'web']],
    ['a.b-c_d=', ['a.b-c_d', '']],
    ['k=A.b_c-9', ['k', 'A.b_c-9']],
    [`${'k'.repeat(63)}=${'v'.repeat(63)}`, ['k'.repeat(63), 'v'.repeat(63)]],
  ];
  for (const [raw, pair] of valid)
    it(`takes ${raw.slice(0, 40)}`, () => {
      assert.deepEqual(parseKubeLabel(raw, '--label'), pair);
    });
  const invalid: readonly (readonly [string, RegExp])[] = [
    ['noequals', /is not k=v/],
    ['=v', /is not k=v/],
    ['-k=v', /the name "-k"/],
    ['Example.com/k=v', /the prefix "Example.com" is not a DNS subdomain/],
    ['a/b/c=v', /the prefix "a\/b" is not a DNS subdomain/],
    [`${'k'.repeat(64)}=v`, /at most 63/],
    ['k=v w', /the value must be empty or at most 63/],
    ['k=v_', /the value must be empty or at most 63/],
  ];
  for (const [raw, message] of invalid)
    it(`refuses ${raw.slice(0, 40)}`, () => {
      assert.throws(() => parseKubeLabel(raw, '--label'), message);
    });
});

describe('names and quantities', () => {
  it('takes DNS-1123 labels and quantities, refuses the rest', () => {
    assert.equal(checkDnsLabel('bulkhead-agent', '--namespace'), 'bulkhead-agent');
    for (const bad of ['Bulkhead', 'a_b', '-a', 'a-', 'a'.repeat(64), ''])
      assert.throws(() => checkDnsLabel(bad, '--namespace'), /DNS-1123/);
    for (const ok of ['10Gi', '512Mi', '500m', '1.5', '2']) assert.equal(checkQuantity(ok, '--storage'), ok);
    for (const bad of ['10 Gi', '10GB', 'Gi', '-1Gi'])
      assert.throws(() => checkQuantity(bad, '--storage'), /quantity/);
  });
});

describe('renderManifests', () => {
  it('one document per object, a comment on top, strings quoted where YAML 1.1 would read them otherwise', () => {
    const text = renderManifests(
      [
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'a' },
          data: { a: 'yes', b: 'on', c: '0755', d: 'y', e: '1h' },
        },
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b' } },
      ],
      ['made by a test'],
    );
    assert.match(text, /^# made by a test\n/);
    assert.match(text, /a: "yes"\n {2}b: "on"\n {2}c: "0755"\n {2}d: "y"\n {2}e: 1h\n/);
    for (const version of ['1.1', '1.2'] as const) {
      const docs = parseAllDocuments(text, { version }).map((d) => d.toJS() as unknown);
      assert.equal(docs.length, 2);
      assert.deepEqual((docs[0] as { data: unknown }).data, {
        a: 'yes',
        b: 'on',
        c: '0755',
        d: 'y',
        e: '1h',
      });
    }
  });
});
