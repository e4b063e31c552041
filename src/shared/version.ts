// The tool's own name and version, read once from package.json next to the compiled code.
import { readFileSync } from 'node:fs';
import { z } from 'zod';

function readVersion(): string {
  for (const rel of ['../../package.json', '../../../package.json']) {
    try {
      const parsed = z
        .object({ version: z.string() })
        .safeParse(JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')));
      if (parsed.success) return parsed.data.version;
    } catch {
      // try the next candidate: src/ and dist/ sit at different depths
    }
  }
  return '0.0.0';
}

export const TOOL_NAME = 'bulkhead';
export const TOOL_VERSION = readVersion();
export const TOOL_URI = 'https://github.com/bulkhead-sec/bulkhead';
