// Registry of Dockerfile lint rules: one import per file in this directory (a test checks the two agree).
import type { LintRule } from '../rule.js';
import { rule as r001 } from './bh-df-001-final-user-root.js';
import { rule as r002 } from './bh-df-002-final-user-missing.js';
import { rule as r003 } from './bh-df-003-untrusted-registry.js';
import { rule as r004 } from './bh-df-004-image-not-pinned-by-digest.js';
import { rule as r005 } from './bh-df-005-tls-verification-disabled.js';
import { rule as r006 } from './bh-df-006-signature-verification-disabled.js';
import { rule as r007 } from './bh-df-007-remote-script-piped-to-shell.js';
import { rule as r008 } from './bh-df-008-secret-in-arg-env-label.js';
import { rule as r009 } from './bh-df-009-credential-file-copied.js';
import { rule as r010 } from './bh-df-010-world-writable-permissions.js';
import { rule as r011 } from './bh-df-011-proc-self-exe.js';

export const LINT_RULES: readonly LintRule[] = [
  r001,
  r002,
  r003,
  r004,
  r005,
  r006,
  r007,
  r008,
  r009,
  r010,
  r011,
];
