// The audit rule registry: every rule file under rules/<area>/, in id order (a test checks it equals the
// directory listing and that ids are unique).
import type { AuditRule } from '../rule.js';
import { rule as bhC001 } from './container/bh-c-001-apparmor.js';
import { rule as bhC002 } from './container/bh-c-002-selinux.js';
import { rule as bhC003 } from './container/bh-c-003-capabilities.js';
import { rule as bhC004 } from './container/bh-c-004-privileged.js';
import { rule as bhC005 } from './container/bh-c-005-sensitive-mounts.js';
import { rule as bhC006 } from './container/bh-c-006-sshd.js';
import { rule as bhC007 } from './container/bh-c-007-privileged-ports.js';
import { rule as bhC008 } from './container/bh-c-008-host-network.js';
import { rule as bhC009 } from './container/bh-c-009-memory-limit.js';
import { rule as bhC010 } from './container/bh-c-010-cpu-limit.js';
import { rule as bhC011 } from './container/bh-c-011-read-only-rootfs.js';
import { rule as bhC012 } from './container/bh-c-012-port-bind-address.js';
import { rule as bhC013 } from './container/bh-c-013-restart-policy.js';
import { rule as bhC014 } from './container/bh-c-014-host-pid.js';
import { rule as bhC015 } from './container/bh-c-015-host-ipc.js';
import { rule as bhC016 } from './container/bh-c-016-devices.js';
import { rule as bhC017 } from './container/bh-c-017-mount-propagation.js';
import { rule as bhC018 } from './container/bh-c-018-host-uts.js';
import { rule as bhC019 } from './container/bh-c-019-seccomp.js';
import { rule as bhC020 } from './container/bh-c-020-cgroup-parent.js';
import { rule as bhC021 } from './container/bh-c-021-no-new-privileges.js';
import { rule as bhC022 } from './container/bh-c-022-healthcheck.js';
import { rule as bhC023 } from './container/bh-c-023-pids-limit.js';
import { rule as bhC024 } from './container/bh-c-024-default-bridge.js';
import { rule as bhC025 } from './container/bh-c-025-host-userns.js';
import { rule as bhC026 } from './container/bh-c-026-docker-socket.js';
import { rule as bhC027 } from './container/bh-c-027-root-user.js';
import { rule as bhC028 } from './container/bh-c-028-sandbox-runtime.js';

export const AUDIT_RULES: readonly AuditRule[] = [
  bhC001,
  bhC002,
  bhC003,
  bhC004,
  bhC005,
  bhC006,
  bhC007,
  bhC008,
  bhC009,
  bhC010,
  bhC011,
  bhC012,
  bhC013,
  bhC014,
  bhC015,
  bhC016,
  bhC017,
  bhC018,
  bhC019,
  bhC020,
  bhC021,
  bhC022,
  bhC023,
  bhC024,
  bhC025,
  bhC026,
  bhC027,
  bhC028,
];
