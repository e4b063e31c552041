// The pendingUpdates fact: host packages with a published security fix not installed yet (issue 16 item 4);
// computed by src/collect/pending-updates.ts before rules run.
import { z } from 'zod';
import { severitySchema } from '../shared/severity.js';

export const pendingUpdatesSchema = z.object({
  /** "Debian GNU/Linux 12 (bookworm)" */
  os: z.string(),
  /** Installed packages read from the host's package database. */
  installed: z.number().int(),
  /** One row per binary package with a fix available, most severe first. */
  packages: z.array(
    z.object({
      name: z.string(),
      installed: z.string(),
      fixed: z.string(),
      severity: severitySchema,
      cves: z.array(z.string()),
    }),
  ),
});
export type PendingUpdates = z.infer<typeof pendingUpdatesSchema>;
