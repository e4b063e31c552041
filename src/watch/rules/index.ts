// The watch rule registry: one entry per file in this directory, in id order (a test checks both).
import type { WatchRule } from '../rule.js';
import { rule as bhW001 } from './bh-w-001-not-in-profile.js';
import { rule as bhW002 } from './bh-w-002-drift.js';
import { rule as bhW003 } from './bh-w-003-exec-from-writable-path.js';
import { rule as bhW004 } from './bh-w-004-interactive-shell.js';
import { rule as bhW005 } from './bh-w-005-package-manager.js';
import { rule as bhW006 } from './bh-w-006-setuid-exec.js';
import { rule as bhW007 } from './bh-w-007-runtime-binary-open.js';
import { rule as bhW008 } from './bh-w-008-root-despite-user.js';
import { rule as bhW009 } from './bh-w-009-host-unlisted-exec.js';
import { rule as bhW010 } from './bh-w-010-host-modified-package-file.js';

export const WATCH_RULES: readonly WatchRule[] = [
  bhW001,
  bhW002,
  bhW003,
  bhW004,
  bhW005,
  bhW006,
  bhW007,
  bhW008,
  bhW009,
  bhW010,
];

/** The rules that judge host execs (watch --host); the others are about containers. */
export const HOST_RULES: readonly WatchRule[] = [bhW009, bhW010];
