// bulkhead's public library API: re-exports only.
export * from './shared/severity.js';
export * from './shared/finding.js';
export * from './shared/errors.js';
export * from './shared/diagnostic.js';
export * from './shared/report.js';
export type { RuleMeta, Rule, RuleCase } from './shared/rule.js';
export { renderJson } from './report/json.js';
export { renderSarif } from './report/sarif.js';
export { renderTable } from './report/table.js';
export { runCli } from './cli/main.js';
export * from './versioning/index.js';
export { AUDIT_RULES } from './audit/rules/index.js';
export { runAudit, type AuditOptions, type AuditResult, type Waiver } from './audit/run.js';
export type { AuditRule, AuditSettings, Check } from './audit/rule.js';
export {
  runScan,
  scanImage,
  describeArtifact,
  IMAGE_RULES,
  type ScanOptions,
  type ScanResult,
  type ScanRunOptions,
} from './scan/index.js';
export { readImage, type ReadImageOptions, type ImageFacts } from './image/index.js';
export { readPackageDatabases, detectOs } from './packages/index.js';
export { LINT_RULES } from './lint/rules/index.js';
export { lintDockerfile, lintModel, type LintOptions, type LintResult } from './lint/lint.js';
export { parseDockerfile } from './lint/parse.js';
export { runLint, type LintRunInput } from './lint/run.js';
export type { LintRule, RuleSettings } from './lint/rule.js';
export type { DockerfileModel, LintInstruction, Stage } from './lint/model.js';
export { collectFacts, type CollectOptions } from './collect/facts.js';
export type { Facts, HostFacts, EngineFacts, Known } from './facts/index.js';
export { openVulnDb, defaultDbPath } from './vulndb/db.js';
export { detectVulnerabilities, type DetectInput, type DetectResult } from './detect/index.js';
export { applyScanFilters } from './detect/filter.js';
export { findIgnoreFile, loadIgnoreFile, parseIgnoreRules } from './collect/ignore-file.js';
export type { IgnoreRules } from './detect/filter.js';
