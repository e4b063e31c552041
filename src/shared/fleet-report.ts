// The report an agent pushes to the fleet server (docs/server.md "Report payload"): audit findings, the container
// -> image digest map and the package inventory per digest, plus authz decisions and runtime events; zod-checked
// with size limits on both sides, because the server treats every agent as hostile.
import { z } from 'zod';
import { SEVERITIES } from './severity.js';

export const REPORT_SCHEMA = 'bulkhead.fleet.report/v1';

const text = (max: number): z.ZodString => z.string().max(max);
const labelKey = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,62}$/, 'label keys are [A-Za-z0-9._/-], at most 63');
const labelValue = z
  .string()
  .regex(/^[A-Za-z0-9._:/-]{0,63}$/, 'label values are [A-Za-z0-9._:/-], at most 63');
export const labelsSchema = z
  .record(labelKey, labelValue)
  .refine((l) => Object.keys(l).length <= 32, 'at most 32 labels');
export const digestSchema = z.string().regex(/^sha256:[a-f0-9]{64}$/, 'an image digest is sha256:<64 hex>');

export const OS_FAMILIES = [
  'debian',
  'ubuntu',
  'alpine',
  'wolfi',
  'redhat',
  'centos',
  'rocky',
  'alma',
  'fedora',
  'amazon',
  'opensuse',
  'distroless',
  'unknown',
] as const;

export const inventoryPackageSchema = z.object({
  name: text(256),
  version: text(256),
  sourceName: text(256),
  sourceVersion: text(256),
  format: z.enum(['dpkg', 'apk', 'rpm']),
});

export const osSchema = z.object({
  family: z.enum(OS_FAMILIES),
  id: text(64),
  versionId: text(64).optional(),
  codename: text(64).optional(),
  prettyName: text(256).optional(),
  evidence: text(256),
});

export const imageInventorySchema = z.object({
  digest: digestSchema,
  ref: text(512),
  os: osSchema,
  packages: z.array(inventoryPackageSchema).max(20_000),
});

export const inventoryHashSchema = z
  .string()
  .regex(/^[a-f0-9]{64}$/, 'an inventory hash is 64 hex (sha256 of the canonical inventory)');

/** In place of an inventory the server already stores: the digest and that inventory's canonical hash. */
export const imageReferenceSchema = z.strictObject({
  digest: digestSchema,
  inventoryHash: inventoryHashSchema,
});

/** Payload type of the signed question "which of these inventories do you still need?" (docs/server.md). */
export const INVENTORY_QUERY_PAYLOAD_TYPE = 'application/vnd.bulkhead.inventory-query+json';
export const INVENTORY_QUERY_MAX = 1_000;
export const inventoryQuerySchema = z.object({
  inventories: z.array(imageReferenceSchema).max(INVENTORY_QUERY_MAX),
});
export const inventoryAnswerSchema = z.object({
  missing: z.array(imageReferenceSchema).max(INVENTORY_QUERY_MAX),
});

/** The code of the 422 that refuses a report whose reference names an inventory the server does not store. */
export const UNKNOWN_INVENTORY = 'unknown-inventory';

export const containerSchema = z.object({
  id: z.string().regex(/^[a-f0-9]{12,64}$/, 'a container id is hex'),
  name: text(256),
  image: text(512),
  digest: digestSchema,
  running: z.boolean(),
});

export const auditFindingSchema = z.object({
  ruleId: text(64),
  severity: z.enum(SEVERITIES),
  title: text(512),
  message: text(4096),
  /** Where the audit table puts it: "host", "daemon", "container NAME", "image REF". */
  group: text(600),
  target: text(600),
  outcome: z.enum(['fail', 'skip']),
});

export const authzDecisionSchema = z.object({
  at: z.iso.datetime(),
  user: text(256),
  action: text(256),
  decision: z.enum(['allow', 'deny']),
  reason: text(1024),
});

export const runtimeEventSchema = z.object({
  /** The agent's stable id for the event (watch store id and file): the server keeps each (host, id) once. */
  id: text(128).optional(),
  at: z.iso.datetime(),
  kind: text(64),
  container: text(256),
  detail: z
    .record(z.string().max(64), z.unknown())
    .refine((d) => JSON.stringify(d).length <= 8192, 'an event detail is at most 8 KiB'),
});

export const fleetReportSchema = z.object({
  schema: z.literal(REPORT_SCHEMA),
  agentVersion: text(64),
  createdAt: z.iso.datetime(),
  host: z.object({ name: text(253), labels: labelsSchema }),
  daemon: z.object({ address: text(512), version: text(64).optional() }).optional(),
  audit: z.object({ findings: z.array(auditFindingSchema).max(20_000) }),
  containers: z.array(containerSchema).max(5_000),
  images: z.array(imageInventorySchema).max(1_000),
  /** Images whose inventory the server already stores (it said so): a reference each, no packages. */
  references: z.array(imageReferenceSchema).max(1_000).optional(),
  authz: z.array(authzDecisionSchema).max(50_000),
  events: z.array(runtimeEventSchema).max(50_000),
});

export type FleetReport = z.infer<typeof fleetReportSchema>;
export type ImageInventory = z.infer<typeof imageInventorySchema>;
export type ImageReference = z.infer<typeof imageReferenceSchema>;
export type AuditFindingRow = z.infer<typeof auditFindingSchema>;
