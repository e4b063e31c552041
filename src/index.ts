// bulkhead's public library API: re-exports only.
export * from './shared/severity.js';
export * from './shared/finding.js';
export * from './shared/errors.js';
export * from './report/report.js';
export { renderJson } from './report/json.js';
export { renderSarif } from './report/sarif.js';
export { renderTable } from './report/table.js';
export { runCli } from './cli/main.js';
export * from './versioning/index.js';
export { AUDIT_RULES } from './audit/rules/index.js';
export { runAudit, type AuditOptions, type AuditResult, type Waiver } from './audit/run.js';
export type { AuditRule, AuditSettings, Check } from './audit/rule.js';
export { scanImage, describeArtifact, IMAGE_RULES, type ScanOptions, type ScanResult } from './scan/index.js';
export { readImage, type ReadImageOptions, type ImageFacts } from './image/index.js';
export { readPackageDatabases, detectOs } from './packages/index.js';
