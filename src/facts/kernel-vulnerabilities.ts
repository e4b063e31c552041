// The kernelVulnerabilities fact's type and schema: the running kernel's own vulnerabilities, computed before the
// rules by src/collect/kernel-vulnerabilities.ts when a vulnerability database is at hand.
import { z } from 'zod';

export const kernelVulnerabilitiesSchema = z.object({
  /** "Debian 11 (bullseye) linux 5.10.158-2" */
  kernel: z.string(),
  /** Advisory ecosystem and release the kernel was judged in ("debian:bullseye"). */
  ecosystem: z.string(),
  package: z.string(),
  runningVersion: z.string(),
  /** The file the package version was read from ("/proc/version"). */
  versionSource: z.string(),
  missing: z.array(
    z.object({
      cve: z.string(),
      advisory: z.string(),
      fixedVersion: z.string(),
      severity: z.string(),
      /** fixed-after-reboot: an installed kernel package has the fix; not-installed: none has. */
      state: z.enum(['fixed-after-reboot', 'not-installed', 'installed-unknown']),
      installedFix: z.string().optional(),
    }),
  ),
  livePatched: z.array(z.object({ cve: z.string(), advisory: z.string(), source: z.string() })),
});
export type KernelVulnerabilities = z.infer<typeof kernelVulnerabilitiesSchema>;
