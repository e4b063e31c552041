// The pipeline's boundaries hold: `npm run lint`'s own config (eslint.config.js + eslint.layers.js) rejects a
// backwards import and accepts the files as they are, every src/ folder has a place in the pipeline, no stage
// left of report/ imports it, and src/ has no import circles (scripts/check-circles.ts).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';
import { findCircles, importGraph } from '../../scripts/check-circles.js';
import { LAYERS, unplacedFolders } from '../../eslint.layers.js';

const ROOT = join(import.meta.dirname, '..', '..');
const SRC = join(ROOT, 'src');

async function restrictedImports(file: string, text: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: ROOT });
  const [result] = await eslint.lintText(text, { filePath: join(ROOT, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('import boundaries (eslint.layers.js)', () => {
  it('fails npm run lint on a backwards import, at every depth', async () => {
    const cases: [file: string, line: string][] = [
      [
        'src/facts/known.ts',
        "import type { Summary } from '../shared/report.js';\nimport '../engine/client.js';",
      ],
      ['src/audit/rules/host/bh-h-001-reboot-pending.ts', "import '../../../report/json.js';"],
      ['src/detect/filter.ts', "import '../vulndb/importers/osv.js';"],
      ['src/lint/rules/bh-df-001-final-user-root.ts', "import '../../cli/io.js';"],
    ];
    for (const [file, line] of cases) {
      const text = `${readFileSync(join(ROOT, file), 'utf8')}\n${line}\n`;
      const messages = await restrictedImports(file, text);
      assert.ok(messages.length > 0, `${file}: ${line} was accepted`);
      assert.match(messages.join('\n'), /CONTRIBUTING\.md "Layers"/);
    }
  });

  it('passes the files as they are', async () => {
    for (const file of [
      'src/facts/known.ts',
      'src/audit/rules/image/bh-img-001-root-user.ts',
      'src/detect/index.ts',
      'src/scan/index.ts',
    ])
      assert.deepEqual(await restrictedImports(file, readFileSync(join(ROOT, file), 'utf8')), [], file);
  });

  it('places every folder of src/ in the pipeline', () => {
    const folders = readdirSync(SRC, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
    assert.deepEqual(unplacedFolders(folders), [], 'add the folder to LAYERS in eslint.layers.js');
    assert.deepEqual(LAYERS['shared'], []);
  });
});

describe('import graph of src/', () => {
  const graph = importGraph(SRC);
  const folderOf = (file: string): string => relative(SRC, file).split(sep)[0] ?? '';

  it('has no file left of report/ importing report/', () => {
    const left = ['audit', 'lint', 'scan', 'detect', 'image', 'engine', 'host', 'facts'];
    const more = ['packages', 'versioning', 'vulndb', 'authz', 'collect', 'shared'];
    const offenders = [...graph]
      .filter(([file]) => [...left, ...more].includes(folderOf(file)))
      .flatMap(([file, targets]) =>
        targets
          .filter((t) => folderOf(t) === 'report')
          .map((t) => `${relative(SRC, file)} -> ${relative(SRC, t)}`),
      );
    assert.deepEqual(offenders, []);
  });

  it('has no import circles (type-only imports included)', () => {
    const circles = findCircles(graph).map((c) => c.map((f) => relative(SRC, f)).join(' <-> '));
    assert.deepEqual(circles, []);
  });

  it('finds a circle when there is one', () => {
    const circles = findCircles(
      new Map([
        ['a.ts', ['b.ts']],
        ['b.ts', ['c.ts']],
        ['c.ts', ['a.ts']],
        ['d.ts', ['a.ts']],
        ['e.ts', ['e.ts']],
      ]),
    );
    assert.deepEqual(circles, [['a.ts', 'b.ts', 'c.ts'], ['e.ts']]);
  });
});
