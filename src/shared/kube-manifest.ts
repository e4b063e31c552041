// Kubernetes manifests for `server install` / `agent install`: the name and label syntax the API server enforces
// (kubernetes.io/docs/concepts/overview/working-with-objects/names and .../labels: DNS-1123 labels and subdomains,
// qualified names), and one YAML stream from plain objects through the `yaml` package, never by concatenation.
import { Document } from 'yaml';
import { UsageError } from './errors.js';
import { parseImageRef } from './image-ref.js';
import { TOOL_VERSION } from './version.js';

/** A Kubernetes object as it is printed: apiVersion, kind, metadata and the rest. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly [key: string]: unknown };
  readonly [key: string]: unknown;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

/** RFC 1123 label (namespaces, object names here): lower-case alphanumerics and "-", at most 63. */
export function checkDnsLabel(value: string, flag: string): string {
  if (value.length > 63 || !DNS_LABEL.test(value))
    throw new UsageError(`${flag} ${JSON.stringify(value)} is not a DNS-1123 label`, {
      hint: 'use at most 63 lower-case letters, digits and "-", starting and ending with a letter or digit',
    });
  return value;
}

function isDnsSubdomain(value: string): boolean {
  return value.length <= 253 && value.split('.').every((part) => DNS_LABEL.test(part));
}

/** Why `key` is not a label key (optional DNS-subdomain prefix "/" name of at most 63), or undefined. */
function labelKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash === -1 ? undefined : key.slice(0, slash);
  const name = slash === -1 ? key : key.slice(slash + 1);
  if (prefix !== undefined && !isDnsSubdomain(prefix))
    return `the prefix ${JSON.stringify(prefix)} is not a DNS subdomain (lower-case, dots, at most 253)`;
  if (name.length > 63 || !QUALIFIED_NAME.test(name))
    return `the name ${JSON.stringify(name)} must be at most 63 of [A-Za-z0-9-_.], starting and ending alphanumeric`;
  return undefined;
}

/** `k=v` in Kubernetes label syntax (a value may be empty); throws a usage error that names the flag. */
export function parseKubeLabel(raw: string, flag: string): readonly [string, string] {
  const eq = raw.indexOf('=');
  if (eq <= 0)
    throw new UsageError(`${flag} ${JSON.stringify(raw)} is not k=v`, {
      hint: `e.g. ${flag} env=prod or ${flag} example.com/team=web`,
    });
  const key = raw.slice(0, eq);
  const value = raw.slice(eq + 1);
  const keyProblem = labelKeyProblem(key);
  if (keyProblem !== undefined)
    throw new UsageError(`${flag} ${JSON.stringify(raw)}: ${keyProblem}`, {
      hint: 'label keys are [prefix/]name as Kubernetes writes them',
    });
  if (value !== '' && (value.length > 63 || !QUALIFIED_NAME.test(value)))
    throw new UsageError(
      `${flag} ${JSON.stringify(raw)}: the value must be empty or at most 63 of [A-Za-z0-9-_.]`,
      {
        hint: 'start and end the value with a letter or digit',
      },
    );
  return [key, value];
}

/** A resource quantity as the API server parses it (k8s.io/apimachinery resource.Quantity): 10Gi, 500m, 1.5. */
export function checkQuantity(value: string, flag: string): string {
  if (!/^[0-9]+(\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/.test(value))
    throw new UsageError(`${flag} ${JSON.stringify(value)} is not a Kubernetes quantity`, {
      hint: 'e.g. 10Gi, 512Mi, 500m',
    });
  return value;
}

/**
 * The objects as one YAML stream, a `---` between documents and `comment` (lines without "#") at the top. Strings
 * are written as YAML 1.1 would read them too: kubectl's parser takes an unquoted yes/on/y as a boolean, so every
 * string that 1.1 could read otherwise is quoted.
 */
export function renderManifests(objects: readonly KubeObject[], comment: readonly string[] = []): string {
  const docs = objects.map((object, i) => {
    // no anchors and aliases for objects used twice (labels in metadata, selector and template): every
    // document reads on its own, in every tool
    const doc = new Document(object, { version: '1.1', aliasDuplicateObjects: false });
    if (i === 0 && comment.length > 0) doc.commentBefore = comment.map((c) => ` ${c}`).join('\n');
    return doc.toString({ lineWidth: 0 });
  });
  return docs.join('---\n');
}

/** An image reference as dockerd and the kubelet read it (the one parser, src/shared/image-ref.ts), not an id. */
export function checkImage(raw: string, flag = '--image'): string {
  const ref = parseImageRef(raw);
  if (ref.kind !== 'named')
    throw new UsageError(
      `${flag} ${JSON.stringify(raw)}: ${ref.kind === 'invalid' ? ref.reason : 'an image id names no image to pull'}`,
      { hint: `e.g. ${flag} registry.example/bulkhead:${TOOL_VERSION}` },
    );
  return raw;
}

export const DEFAULT_IMAGE = `bulkhead:${TOOL_VERSION}`;

export const PART_OF = { 'app.kubernetes.io/part-of': 'bulkhead' };
/** Restricted-profile container settings every bulkhead container shares (pod-security-standards "restricted"). */
export const LOCKED_DOWN = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  privileged: false,
  seccompProfile: { type: 'RuntimeDefault' },
} as const;
