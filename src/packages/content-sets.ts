// Reads the Red Hat content sets (repository ids such as "rhel-8-for-x86_64-baseos-rpms") an image was built from:
// the image content manifests root/buildinfo/content_manifests/*.json (atomic-reactor's content_manifest schema,
// field "content_sets") and usr/share/buildinfo/content-sets.json (the same field, or a plain list). Detectors map
// them to CPEs to pick the Red Hat products whose advisories apply.
import { z } from 'zod';

const manifestSchema = z.union([
  z.object({ content_sets: z.array(z.string().min(1).max(200)).max(1000) }),
  z.array(z.string().min(1).max(200)).max(1000),
]);

export function isContentSetPath(path: string): boolean {
  return (
    path === 'usr/share/buildinfo/content-sets.json' ||
    (path.startsWith('root/buildinfo/content_manifests/') &&
      path.endsWith('.json') &&
      !path.slice('root/buildinfo/content_manifests/'.length).includes('/'))
  );
}

/** Content sets from every manifest among `files` (sorted, unique); unreadable manifests are warnings. */
export function readContentSets(files: Iterable<{ readonly path: string; readonly content: Buffer }>): {
  contentSets: string[];
  warnings: string[];
} {
  const sets = new Set<string>();
  const warnings: string[] = [];
  for (const file of files) {
    if (!isContentSetPath(file.path)) continue;
    let doc: unknown;
    try {
      doc = JSON.parse(file.content.toString('utf8'));
    } catch {
      warnings.push(`${file.path}: not JSON, its content sets are ignored`);
      continue;
    }
    const parsed = manifestSchema.safeParse(doc);
    if (!parsed.success) {
      warnings.push(`${file.path}: no "content_sets" list, ignored`);
      continue;
    }
    for (const set of Array.isArray(parsed.data) ? parsed.data : parsed.data.content_sets) sets.add(set);
  }
  return { contentSets: [...sets].sort(), warnings };
}
