// Runs every rule's case table (the `cases` next to its check) and checks the registry: it equals the rule files on
// disk, ids are unique and match file names, and every rule has at least one failing and one non-failing case.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { AUDIT_RULES } from '../../src/audit/rules/index.js';
import { runAudit, targetNames } from '../../src/audit/run.js';
import { cisSections, type AuditRule } from '../../src/audit/rule.js';
const RULES_DIR = join(import.meta.dirname, '../../src/audit/rules');

describe('audit rule registry', () => {
  it('equals the rule files on disk, with ids matching file names', () => {
    const files = readdirSync(RULES_DIR, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .flatMap((d) => readdirSync(join(RULES_DIR, d.name)).map((f) => `${d.name}/${f}`))
      .filter((f) => f.endsWith('.ts'))
      .sort();
    const fromRegistry = AUDIT_RULES.map((r) => {
      const file = files.find((f) => f.split('/')[1]?.startsWith(`${r.meta.id.toLowerCase()}-`));
      assert.ok(file, `rule ${r.meta.id} has no file named ${r.meta.id.toLowerCase()}-<slug>.ts`);
      assert.equal(file.split('/')[0], r.area, `${r.meta.id} lives in the ${r.area} folder`);
      return file;
    }).sort();
    assert.deepEqual(fromRegistry, files);
  });

  it('has unique, well-formed ids', () => {
    const ids = AUDIT_RULES.map((r) => r.meta.id);
    assert.equal(new Set(ids).size, ids.length);
    const letter: Record<AuditRule['area'], string> = {
      host: 'H',
      daemon: 'D',
      files: 'F',
      container: 'C',
      image: 'I',
    };
    // BH-IMG-001 is the one root-user image rule, shared with bulkhead scan (its old id BH-I-001 is an alias)
    for (const r of AUDIT_RULES)
      assert.match(
        r.meta.id,
        new RegExp(`^BH-(${letter[r.area]}${r.area === 'image' ? '|IMG' : ''})-\\d{3}$`),
      );
    for (const r of AUDIT_RULES) assert.equal(r.meta.docsUrl.split('#')[1], r.meta.id.toLowerCase());
  });

  it('gives every rule a title, rationale, remediation and well-formed CIS sections', () => {
    for (const r of AUDIT_RULES) {
      assert.ok(
        r.meta.title.length > 5 && r.meta.rationale.length > 20 && r.meta.remediation.length > 10,
        r.meta.id,
      );
      for (const s of [...cisSections(r.meta, '1.6.0'), ...cisSections(r.meta, '1.8.0')])
        assert.match(s, /^\d+(\.\d+)+$/, r.meta.id);
    }
  });

  it('has a case table for every rule with a failing and a non-failing case', () => {
    for (const r of AUDIT_RULES) {
      const outcomes = r.cases.flatMap((c) => c.expect.map((e) => e.outcome));
      assert.ok(outcomes.includes('fail'), `${r.meta.id} has no failing case`);
      assert.ok(
        outcomes.some((o) => o !== 'fail'),
        `${r.meta.id} has no passing / n/a case`,
      );
    }
  });
});

describe('audit rules', () => {
  for (const rule of AUDIT_RULES) {
    describe(rule.meta.id, () => {
      for (const c of rule.cases) {
        it(c.name, () => {
          const { findings } = runAudit(c.facts, {
            rules: [rule],
            settings: { trustedRegistries: ['docker.io'], allowedListeners: [] },
          });
          assert.equal(
            findings.length,
            c.expect.length,
            `checks: ${JSON.stringify(findings.map((f) => [targetNames(f.target)[0], f.outcome]))}`,
          );
          for (const e of c.expect) {
            const finding =
              e.target === undefined
                ? findings[0]
                : findings.find((f) => targetNames(f.target).includes(e.target ?? ''));
            assert.ok(finding, `no check for target ${e.target ?? '(single)'}`);
            const lines = finding.evidence.map((x) => `${x.source}=${x.value}`);
            assert.equal(finding.outcome.kind, e.outcome, `${finding.message} | ${lines.join(' | ')}`);
            for (const needle of e.evidence ?? [])
              assert.ok(
                lines.some((l) => l.includes(needle)),
                `evidence ${needle} not in ${lines.join(' | ')}`,
              );
            if (e.message !== undefined) assert.ok(finding.message.includes(e.message), finding.message);
          }
        });
      }
    });
  }
});
