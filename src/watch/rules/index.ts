// The watch rule registry: one entry per file in this directory, in id order (a test checks both).
import type { WatchRule } from '../rule.js';
import { notInProfile } from './bh-w-001-not-in-profile.js';
import { drift } from './bh-w-002-drift.js';
import { execFromWritablePath } from './bh-w-003-exec-from-writable-path.js';
import { interactiveShell } from './bh-w-004-interactive-shell.js';
import { packageManager } from './bh-w-005-package-manager.js';
import { setuidExec } from './bh-w-006-setuid-exec.js';
import { runtimeBinaryOpen } from './bh-w-007-runtime-binary-open.js';
import { rootDespiteUser } from './bh-w-008-root-despite-user.js';

export const WATCH_RULES: readonly WatchRule[] = [
  notInProfile,
  drift,
  execFromWritablePath,
  interactiveShell,
  packageManager,
  setuidExec,
  runtimeBinaryOpen,
  rootDespiteUser,
];
