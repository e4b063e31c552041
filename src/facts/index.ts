// The facts every rule reads: HostFacts and EngineFacts, collected once, plain and serialisable.
import { z } from 'zod';
import { engineFactsSchema } from './engine.js';
import { hostFactsSchema } from './host.js';
import { kernelVulnerabilitiesSchema } from './kernel-vulnerabilities.js';
import { knownSchema } from './known.js';
import { pendingUpdatesSchema } from './pending-updates.js';

export const factsSchema = z.object({
  schemaVersion: z.literal(1),
  collectedAt: z.string(),
  host: hostFactsSchema,
  /** Unknown when the engine could not be reached; host rules still run. */
  engine: knownSchema(engineFactsSchema),
  /** The running kernel's missing fixes, from the vulnerability database (absent in facts recorded before it). */
  kernelVulnerabilities: knownSchema(kernelVulnerabilitiesSchema).optional(),
  /** Host packages with a security fix not installed yet, from the vulnerability database (absent in older facts). */
  pendingUpdates: knownSchema(pendingUpdatesSchema).optional(),
  /** Problems met while collecting (unreadable files, malformed daemon.json, engine down). */
  diagnostics: z.array(
    z.object({ level: z.enum(['warning', 'error']), subject: z.string(), message: z.string() }),
  ),
});
export type Facts = z.infer<typeof factsSchema>;

export * from './known.js';
export * from './host.js';
export * from './engine.js';
export * from './hardening.js';
export { kernelVulnerabilitiesSchema, type KernelVulnerabilities } from './kernel-vulnerabilities.js';
export { pendingUpdatesSchema, type PendingUpdates } from './pending-updates.js';
