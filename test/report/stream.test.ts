// The JSON and SARIF reporters stream: their text is JSON.stringify(document, null, 2) byte for byte (so existing
// reports are unchanged), and a report too large for one string (V8's 2^29 - 24 characters) is written chunk by
// chunk through the CLI's writer and parses back, finding by finding.
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { after, describe, it } from 'node:test';
import { writeReport } from '../../src/cli/options.js';
import type { CliIO } from '../../src/cli/io.js';
import { EMPTY_CONFIG } from '../../src/lint/config.js';
import { runLint } from '../../src/lint/run.js';
import { jsonReportChunks, renderJson } from '../../src/report/json.js';
import { jsonChunks, LazyJsonArray } from '../../src/report/json-stream.js';
import { reportChunks } from '../../src/report/render.js';
import { renderSarif, sarifChunks, sarifDocument } from '../../src/report/sarif.js';
import type { Finding } from '../../src/shared/finding.js';
import { summarize, type Report } from '../../src/shared/report.js';
import { syntheticReport } from '../harness/synthetic-report.js';

const MAX_STRING = 2 ** 29 - 24;
const DOCKERFILES = join(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'dockerfiles');

/** What the reporters printed before they streamed: one JSON.stringify of the whole document. */
function stringifiedJson(report: Report): string {
  return `${JSON.stringify({ ...report, summary: summarize(report.findings) }, null, 2)}\n`;
}

function stringifiedSarif(report: Report): string {
  // LazyJsonArray.toJSON materialises the results, as the old renderer built them
  return `${JSON.stringify(sarifDocument(report), null, 2)}\n`;
}

async function lintCorpusReport(): Promise<Report> {
  const targets = readdirSync(DOCKERFILES)
    .filter((f) => !f.endsWith('.tsv') && !f.endsWith('.md'))
    .map((f) => join(DOCKERFILES, f));
  const { report } = await runLint({
    targets,
    cwd: DOCKERFILES,
    config: EMPTY_CONFIG,
    shellcheck: false,
    readStdin: () => Promise.resolve(Buffer.alloc(0)),
  });
  return report;
}

describe('jsonChunks', () => {
  const values: readonly [string, unknown][] = [
    ['primitives', [1, -0, NaN, Infinity, 'a"b\\c\nd\u2028', true, null, '']],
    ['empty containers', { a: [], b: {}, c: [[]], d: [{}], e: { f: { g: [] } } }],
    [
      'undefined, functions and symbols',
      { a: undefined, b: () => 1, c: Symbol('x'), d: [undefined, () => 1] },
    ],
    ['only omitted members', { a: undefined }],
    ['toJSON', { when: new Date(0), nested: { toJSON: (key: string) => `key ${key}` }, list: [new Date(1)] }],
    [
      'class instances and null prototypes',
      { map: new Map([[1, 2]]), bare: Object.assign(Object.create(null), { x: 1 }) as object },
    ],
    ['deep nesting past the streamed depth', { a: { b: { c: { d: { e: [1, { f: 'g\nh' }] } } } } }],
    ['unicode keys', { 'ключ "q"\n': 1, '': 2 }],
    ['top-level string', 'text'],
    ['top-level number', 42],
  ];
  for (const [name, value] of values)
    for (const depth of [0, 1, 2, 5])
      it(`${name}, depth ${depth}: JSON.stringify's text`, () => {
        const expected = JSON.stringify(value, null, 2);
        assert.equal([...jsonChunks(value, depth, 7)].join(''), expected);
        assert.equal([...jsonChunks(value, depth)].join(''), expected);
      });

  it('writes nothing for a top-level undefined, as JSON.stringify returns undefined', () => {
    assert.deepEqual([...jsonChunks(undefined, 3)], []);
  });

  it('streams a LazyJsonArray at any depth, calling its source once per serialisation', () => {
    let calls = 0;
    const lazy = new LazyJsonArray(function* () {
      calls += 1;
      yield { a: 1 };
      yield undefined;
      yield [2];
    });
    const doc = { outer: { inner: lazy }, empty: new LazyJsonArray(() => []) };
    const expected = JSON.stringify({ outer: { inner: [{ a: 1 }, null, [2]] }, empty: [] }, null, 2);
    assert.equal([...jsonChunks(doc, 0)].join(''), expected);
    assert.equal([...jsonChunks(doc, 4, 3)].join(''), expected);
    assert.equal(calls, 2);
  });

  it('cuts chunks of at least the asked size, none longer than a batch of elements', () => {
    const text = JSON.stringify(syntheticReport(1000), null, 2);
    const chunks = [...jsonChunks(syntheticReport(1000), 2, 4096)];
    assert.equal(chunks.join(''), text);
    assert.ok(chunks.length >= 8, String(chunks.length));
    for (const c of chunks.slice(0, -1))
      assert.ok(c.length >= 4096 && c.length < text.length / 4, String(c.length));
  });
});

describe('reporters print what they printed before streaming', () => {
  it('lint over the shared Dockerfiles: JSON and SARIF', async () => {
    const report = await lintCorpusReport();
    assert.ok(report.findings.length > 300, String(report.findings.length));
    assert.equal(renderJson(report), stringifiedJson(report));
    assert.equal(renderSarif(report), stringifiedSarif(report));
    assert.equal([...reportChunks(report, 'json', { color: false })].join(''), stringifiedJson(report));
  });

  it('a scan-shaped report with passes, skips and diagnostics: JSON, failures-only JSON and SARIF', () => {
    const base = syntheticReport(50);
    const report: Report = {
      ...base,
      findings: base.findings.map((f, i) =>
        i % 4 === 1
          ? { ...f, outcome: { kind: 'skip', reason: 'not read' } }
          : i % 4 === 2
            ? { ...f, outcome: { kind: 'pass' } }
            : f,
      ),
    };
    assert.equal(renderJson(report), stringifiedJson(report));
    const failures = report.findings.filter((f) => f.outcome.kind === 'fail');
    assert.equal(
      renderJson(report, { failuresOnly: true }),
      `${JSON.stringify({ ...report, findings: failures, summary: summarize(report.findings) }, null, 2)}\n`,
    );
    const sarif = renderSarif(report);
    assert.equal(sarif, stringifiedSarif(report));
    const parsed = JSON.parse(sarif) as {
      runs: {
        results: { ruleId: string; ruleIndex: number }[];
        tool: { driver: { rules: { id: string }[] } };
      }[];
    };
    const run = parsed.runs[0];
    assert.ok(run);
    assert.equal(run.results.length, failures.length);
    for (const r of run.results) assert.equal(run.tool.driver.rules[r.ruleIndex]?.id, r.ruleId);
  });

  it('--output gets the same bytes as stdout', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bulkhead-stream-'));
    try {
      const report = syntheticReport(300);
      let stdout = '';
      const io: CliIO = {
        stdout: (t) => (stdout += t),
        stderr: () => undefined,
        isTTY: false,
        env: {},
        cwd: dir,
      };
      writeReport(sarifChunks(report), { output: undefined }, io);
      writeReport(sarifChunks(report), { output: join(dir, 'out.sarif') }, io);
      assert.equal(readFileSync(join(dir, 'out.sarif'), 'utf8'), stdout);
      assert.equal(stdout, stringifiedSarif(report));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * Reads a streamed document back without holding it as one string: the elements of the array that opens with the
 * line `header` (each element `indent` spaces in) are cut out at their closing "\n<indent>}" and parsed one by one
 * (deeper lines are indented further, so that sequence ends only elements); the rest, with that array emptied, is
 * parsed whole and returned. `count.chars` gets the length of the text.
 */
function parseBack(
  chunks: Iterable<string>,
  header: string,
  indent: number,
  onElement: (value: unknown) => void,
  count: { chars: number },
): unknown {
  const pad = ' '.repeat(indent);
  const opening = `\n${header}`;
  const closing = `\n${pad}}`;
  const arrayEnd = `\n${' '.repeat(indent - 2)}]`;
  let phase: 'before' | 'in' | 'after' = 'before';
  const skeleton: string[] = [];
  // before the array: only the last header's length of text is carried to the next chunk (no growing buffer)
  let buffer = '';
  for (const chunk of chunks) {
    count.chars += chunk.length;
    if (phase === 'after') {
      skeleton.push(chunk);
      continue;
    }
    buffer += chunk;
    if (phase === 'before') {
      const at = buffer.indexOf(`${opening}\n`);
      if (at === -1) {
        const keep = Math.max(0, buffer.length - opening.length);
        skeleton.push(buffer.slice(0, keep));
        buffer = buffer.slice(keep);
        continue;
      }
      skeleton.push(`${buffer.slice(0, at)}${opening}]`);
      buffer = buffer.slice(at + opening.length);
      phase = 'in';
    }
    for (;;) {
      // the comma after an element may come with the next chunk
      if (buffer.startsWith(',')) buffer = buffer.slice(1);
      if (buffer.startsWith(arrayEnd)) {
        skeleton.push(buffer.slice(arrayEnd.length));
        buffer = '';
        phase = 'after';
        break;
      }
      const end = buffer.indexOf(closing);
      if (end === -1) break;
      assert.ok(buffer.startsWith(`\n${pad}{`), `element start: ${buffer.slice(0, 40)}`);
      onElement(JSON.parse(buffer.slice(1, end + closing.length)));
      buffer = buffer.slice(end + closing.length);
    }
  }
  assert.equal(phase, 'after', 'the array was not closed');
  return JSON.parse(skeleton.join(''));
}

/** A file's text in pieces of 1 MiB (UTF-8 sequences split across reads are decoded whole). */
function* fileChunks(path: string): Generator<string> {
  const fd = openSync(path, 'r');
  try {
    const decoder = new StringDecoder('utf8');
    const buffer = Buffer.alloc(1 << 20);
    for (let n = readSync(fd, buffer); n > 0; n = readSync(fd, buffer))
      yield decoder.write(buffer.subarray(0, n));
    yield decoder.end();
  } finally {
    closeSync(fd);
  }
}

describe('a report too large for one string', () => {
  const COUNT = 200_000;
  const report = syntheticReport(COUNT);
  const dir = mkdtempSync(join(tmpdir(), 'bulkhead-stream-'));
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it(`JSON of ${COUNT} findings goes to --output in chunks and parses back`, () => {
    const file = join(dir, 'report.json');
    const io: CliIO = {
      stdout: () => assert.fail('stdout'),
      stderr: () => undefined,
      isTTY: false,
      env: {},
      cwd: dir,
    };
    writeReport(jsonReportChunks(report), { output: file }, io);
    let seen = 0;
    const count = { chars: 0 };
    const rest = parseBack(
      fileChunks(file),
      '  "findings": [',
      4,
      (value) => {
        const expected = report.findings[seen];
        if (seen % 9973 === 0) assert.deepEqual(value, expected);
        else assert.equal((value as Finding).ruleId, expected?.ruleId);
        seen += 1;
      },
      count,
    ) as { findings: unknown[]; summary: { total: number }; command: string };
    assert.equal(seen, COUNT);
    assert.deepEqual(rest.findings, []);
    assert.equal(rest.summary.total, COUNT);
    assert.equal(rest.command, 'scan');
    // the text is longer than any string V8 can hold: JSON.stringify of this report throws "Invalid string length"
    assert.ok(count.chars > MAX_STRING, `${count.chars} characters`);
  });

  it(`SARIF of ${COUNT} findings streams to stdout in bounded chunks and parses back`, () => {
    const count = { chars: 0 };
    let seen = 0;
    let largest = 0;
    const chunks = (function* () {
      for (const chunk of sarifChunks(report)) {
        largest = Math.max(largest, chunk.length);
        yield chunk;
      }
    })();
    const rest = parseBack(
      chunks,
      '      "results": [',
      8,
      (value) => {
        const result = value as { ruleId: string; ruleIndex: number; level: string };
        assert.equal(result.ruleId, report.findings[seen]?.ruleId);
        seen += 1;
      },
      count,
    ) as { version: string; runs: { results: unknown[]; tool: { driver: { rules: unknown[] } } }[] };
    assert.equal(seen, COUNT);
    assert.equal(rest.version, '2.1.0');
    assert.equal(rest.runs[0]?.results.length, 0);
    assert.ok(count.chars > MAX_STRING, `${count.chars} characters`);
    // a batch of 128 results is the largest piece; the old renderer made one string of the whole log
    assert.ok(largest < 1 << 20, `largest chunk ${largest}`);
  });
});
