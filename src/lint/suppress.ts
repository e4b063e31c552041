// Inline suppressions: `# bulkhead ignore=ID,...` and hadolint's `# hadolint ignore=DL3008` above an instruction,
// `# bulkhead global ignore=...` / `# hadolint global ignore=...` for the file, `# bulkhead stage ignore=...` for
// the stage the comment sits in (hadolint README, "Inline ignores").
import type { DockerfileModel } from './model.js';

const PRAGMA = /^(bulkhead|hadolint)\s+(global\s+|stage\s+)?ignore\s*=\s*([A-Za-z0-9_,\s-]+)$/i;

export interface Suppressions {
  /** True when `ids` (a rule id and its aliases) are ignored for a finding on `line`. */
  isSuppressed(ids: readonly string[], line: number): boolean;
}

/** No comment suppresses anything (hadolint's `disable-ignore-pragma: true`). */
export const NO_SUPPRESSIONS: Suppressions = { isSuppressed: () => false };

function parseIds(list: string): string[] {
  return list
    .split(/[,\s]+/)
    .map((s) => s.trim().toUpperCase())
    .filter((s) => s !== '');
}

export function readSuppressions(model: DockerfileModel): Suppressions {
  const global = new Set<string>();
  /** Instruction start line -> ids ignored for it. */
  const byInstruction = new Map<number, Set<string>>();
  const byStage = new Map<number, Set<string>>();
  const commentLines = new Map<number, string>();
  for (const c of model.comments) commentLines.set(c.line, c.text);

  const stageOfLine = (line: number): number => {
    let index = -1;
    for (const stage of model.stages) if (stage.from.line <= line) index = stage.index;
    return index;
  };

  for (const comment of model.comments) {
    const match = PRAGMA.exec(comment.text.trim());
    if (match === null) continue;
    const scope = (match[2] ?? '').trim().toLowerCase();
    const ids = parseIds(match[3] ?? '');
    if (scope === 'global') for (const id of ids) global.add(id);
    else if (scope === 'stage') {
      const stage = stageOfLine(comment.line);
      const set = byStage.get(stage) ?? new Set<string>();
      for (const id of ids) set.add(id);
      byStage.set(stage, set);
    }
  }

  // A pragma applies to the instruction right below the block of comment lines that holds it.
  for (const instruction of model.instructions) {
    const ids = new Set<string>();
    for (let line = instruction.line - 1; commentLines.has(line); line -= 1) {
      const match = PRAGMA.exec((commentLines.get(line) ?? '').trim());
      if (match !== null && (match[2] ?? '') === '') for (const id of parseIds(match[3] ?? '')) ids.add(id);
    }
    if (ids.size > 0) byInstruction.set(instruction.line, ids);
  }

  const starts = model.instructions.map((i) => ({ start: i.line, end: i.endLine }));
  return {
    isSuppressed(ids: readonly string[], line: number): boolean {
      const upper = ids.map((id) => id.toUpperCase());
      if (upper.some((id) => global.has(id))) return true;
      const stageIds = byStage.get(stageOfLine(line));
      if (stageIds !== undefined && upper.some((id) => stageIds.has(id))) return true;
      const owner = starts.find((s) => s.start <= line && line <= s.end);
      const local = owner === undefined ? undefined : byInstruction.get(owner.start);
      return local !== undefined && upper.some((id) => local.has(id));
    },
  };
}
