// Offline Kubernetes schema validation for the manifests `server install` / `agent install` print: each YAML
// document is parsed and validated against the OpenAPI schema of its apiVersion/kind, with the ajv validators
// compiled from the Kubernetes API's OpenAPI spec that the kubernetes-models package ships (no cluster, no network).
// The schemas check types, required fields and enums; unknown fields are caught at compile time instead (the
// builders are typed with the same package's interfaces, `satisfies IDaemonSet` etc.).
import assert from 'node:assert/strict';
import { parseAllDocuments, visit } from 'yaml';
import { DaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { CronJob } from 'kubernetes-models/batch/v1/CronJob';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';

interface Validating {
  validate(): void;
}

const KINDS: Readonly<Record<string, (data: never) => Validating>> = {
  'v1/Namespace': (d) => new Namespace(d),
  'v1/ServiceAccount': (d) => new ServiceAccount(d),
  'v1/Secret': (d) => new Secret(d),
  'v1/Service': (d) => new Service(d),
  'v1/PersistentVolumeClaim': (d) => new PersistentVolumeClaim(d),
  'apps/v1/DaemonSet': (d) => new DaemonSet(d),
  'apps/v1/Deployment': (d) => new Deployment(d),
  'batch/v1/CronJob': (d) => new CronJob(d),
};

export type KubeDoc = Record<string, unknown> & { apiVersion: string; kind: string };

/** Throws the validator's message (path and rule) when `doc` is not a valid object of its kind. */
export function validateKubeObject(doc: unknown): void {
  if (typeof doc !== 'object' || doc === null) throw new Error('not an object');
  const { apiVersion, kind } = doc as Record<string, unknown>;
  const make = KINDS[`${String(apiVersion)}/${String(kind)}`];
  if (make === undefined) throw new Error(`no schema here for ${String(apiVersion)} ${String(kind)}`);
  // the model copies the data; validate() runs the compiled OpenAPI schema of the kind
  make(doc as never).validate();
}

/** Every document of a YAML stream, parsed as YAML 1.2 and as YAML 1.1 (kubectl's reading); throws on a difference. */
export function parseManifests(text: string): KubeDoc[] {
  const read = (version: '1.1' | '1.2'): unknown[] =>
    parseAllDocuments(text, { version }).map((d) => {
      if (d.errors.length > 0)
        throw new Error(`YAML ${version}: ${d.errors.map((e) => e.message).join('; ')}`);
      return d.toJS() as unknown;
    });
  // an anchor (&a1) or alias (*a1) makes a document depend on another node: the builders print none
  for (const doc of parseAllDocuments(text)) {
    let found = '';
    visit(doc, {
      Alias(_key, node) {
        found = `*${node.source}`;
        return visit.BREAK;
      },
    });
    if (found !== '') throw new Error(`the stream uses YAML aliases (${found})`);
  }
  const modern = read('1.2');
  const legacy = read('1.1');
  if (JSON.stringify(modern) !== JSON.stringify(legacy))
    throw new Error('the stream reads differently as YAML 1.1 (an unquoted yes/on/0755?)');
  return modern.map((d) => {
    if (typeof d !== 'object' || d === null || !('kind' in d) || !('apiVersion' in d))
      throw new Error('a document without apiVersion and kind');
    return d as KubeDoc;
  });
}

type Key = string | number;

/** The value at `path` inside a parsed manifest (undefined where the path ends early). */
export function at(doc: unknown, ...path: readonly Key[]): unknown {
  let here: unknown = doc;
  for (const key of path) {
    if (typeof here !== 'object' || here === null) return undefined;
    here = (here as Record<Key, unknown>)[key];
  }
  return here;
}

/** A deep copy of `doc` with one edit: the value at `path` set, or deleted when `value` is undefined. */
export function edited(doc: unknown, path: readonly Key[], value?: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(doc)) as unknown;
  const parent = at(copy, ...path.slice(0, -1));
  const last = path.at(-1);
  if (typeof parent !== 'object' || parent === null || last === undefined)
    throw new Error(`no ${path.join('.')}`);
  if (value === undefined) Reflect.deleteProperty(parent, last);
  else Reflect.set(parent, last, value);
  return copy;
}

/** A manifest that must fail validation: what is wrong, the document, the validator's message. */
export type InvalidCase = readonly [what: string, doc: unknown, message: RegExp];

/** Each document fails validation with its message (so the schema check can fail). */
export function assertInvalid(cases: readonly InvalidCase[]): void {
  for (const [what, doc, message] of cases)
    assert.throws(
      () => {
        validateKubeObject(doc);
      },
      message,
      what,
    );
}
