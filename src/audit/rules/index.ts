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
import { rule as bhD001 } from './daemon/bh-d-001-rootless.js';
import { rule as bhD002 } from './daemon/bh-d-002-icc.js';
import { rule as bhD003 } from './daemon/bh-d-003-log-level.js';
import { rule as bhD004 } from './daemon/bh-d-004-iptables.js';
import { rule as bhD005 } from './daemon/bh-d-005-insecure-registries.js';
import { rule as bhD006 } from './daemon/bh-d-006-aufs.js';
import { rule as bhD007 } from './daemon/bh-d-007-devicemapper.js';
import { rule as bhD008 } from './daemon/bh-d-008-tls.js';
import { rule as bhD009 } from './daemon/bh-d-009-default-ulimits.js';
import { rule as bhD010 } from './daemon/bh-d-010-userns-remap.js';
import { rule as bhD011 } from './daemon/bh-d-011-cgroup-parent.js';
import { rule as bhD012 } from './daemon/bh-d-012-base-device-size.js';
import { rule as bhD013 } from './daemon/bh-d-013-authorization-plugin.js';
import { rule as bhD014 } from './daemon/bh-d-014-remote-logging.js';
import { rule as bhD015 } from './daemon/bh-d-015-no-new-privileges.js';
import { rule as bhD016 } from './daemon/bh-d-016-live-restore.js';
import { rule as bhD017 } from './daemon/bh-d-017-userland-proxy.js';
import { rule as bhD018 } from './daemon/bh-d-018-seccomp-profile.js';
import { rule as bhD019 } from './daemon/bh-d-019-experimental.js';
import { rule as bhD020 } from './daemon/bh-d-020-swarm.js';
import { rule as bhD021 } from './daemon/bh-d-021-sandbox-runtime.js';
import { rule as bhD022 } from './daemon/bh-d-022-runtime-versions.js';
import { rule as bhF001 } from './files/bh-f-001-docker-service.js';
import { rule as bhF002 } from './files/bh-f-002-docker-socket-unit.js';
import { rule as bhF003 } from './files/bh-f-003-etc-docker.js';
import { rule as bhF004 } from './files/bh-f-004-registry-certificates.js';
import { rule as bhF005 } from './files/bh-f-005-tls-ca.js';
import { rule as bhF006 } from './files/bh-f-006-tls-cert.js';
import { rule as bhF007 } from './files/bh-f-007-tls-key.js';
import { rule as bhF008 } from './files/bh-f-008-docker-socket.js';
import { rule as bhF009 } from './files/bh-f-009-daemon-json.js';
import { rule as bhF010 } from './files/bh-f-010-etc-default-docker.js';
import { rule as bhF011 } from './files/bh-f-011-etc-sysconfig-docker.js';
import { rule as bhF012 } from './files/bh-f-012-containerd-socket.js';
import { rule as bhH001 } from './host/bh-h-001-reboot-pending.js';
import { rule as bhH002 } from './host/bh-h-002-livepatch.js';
import { rule as bhH003 } from './host/bh-h-003-lsm.js';
import { rule as bhH004 } from './host/bh-h-004-risky-modules.js';
import { rule as bhH005 } from './host/bh-h-005-runtime-packages.js';
import { rule as bhH006 } from './host/bh-h-006-docker-group.js';
import { rule as bhH007 } from './host/bh-h-007-data-root-filesystem.js';
import { rule as bhH008 } from './host/bh-h-008-seccomp-kernel.js';
import { rule as bhH020 } from './host/bh-h-020-container-os.js';
import { rule as bhH021 } from './host/bh-h-021-wildcard-listeners.js';
import { rule as bhH022 } from './host/bh-h-022-unneeded-services.js';
import { rule as bhH023 } from './host/bh-h-023-build-tools.js';
import { rule as bhH024 } from './host/bh-h-024-automatic-updates.js';
import { rule as bhH025 } from './host/bh-h-025-updates-recent.js';
import { rule as bhH026 } from './host/bh-h-026-sshd-root-login.js';
import { rule as bhH027 } from './host/bh-h-027-sshd-password-auth.js';
import { rule as bhH028 } from './host/bh-h-028-sshd-empty-passwords.js';
import { rule as bhH029 } from './host/bh-h-029-sshd-forwarding.js';
import { rule as bhH030 } from './host/bh-h-030-empty-passwords.js';
import { rule as bhH031 } from './host/bh-h-031-auditd-docker-files.js';
import { rule as bhH032 } from './host/bh-h-032-journald-persistent.js';
import { rule as bhH033 } from './host/bh-h-033-time-sync.js';
import { rule as bhH034 } from './host/bh-h-034-unprivileged-userns.js';
import { rule as bhH035 } from './host/bh-h-035-kptr-restrict.js';
import { rule as bhH036 } from './host/bh-h-036-dmesg-restrict.js';
import { rule as bhH037 } from './host/bh-h-037-unprivileged-bpf.js';
import { rule as bhH038 } from './host/bh-h-038-route-localnet.js';
import { rule as bhH039 } from './host/bh-h-039-protected-links.js';
import { rule as bhH040 } from './host/bh-h-040-ptrace-scope.js';
import { rule as bhH041 } from './host/bh-h-041-running-kernel-cves.js';
import { rule as bhH042 } from './host/bh-h-042-pending-security-updates.js';
import { rule as bhImg001 } from './image/bh-img-001-root-user.js';
import { rule as bhI002 } from './image/bh-i-002-healthcheck.js';
import { rule as bhI003 } from './image/bh-i-003-trusted-registry.js';
import { rule as bhI004 } from './image/bh-i-004-digest.js';

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
  bhD001,
  bhD002,
  bhD003,
  bhD004,
  bhD005,
  bhD006,
  bhD007,
  bhD008,
  bhD009,
  bhD010,
  bhD011,
  bhD012,
  bhD013,
  bhD014,
  bhD015,
  bhD016,
  bhD017,
  bhD018,
  bhD019,
  bhD020,
  bhD021,
  bhD022,
  bhF001,
  bhF002,
  bhF003,
  bhF004,
  bhF005,
  bhF006,
  bhF007,
  bhF008,
  bhF009,
  bhF010,
  bhF011,
  bhF012,
  bhH001,
  bhH002,
  bhH003,
  bhH004,
  bhH005,
  bhH006,
  bhH007,
  bhH008,
  bhH020,
  bhH021,
  bhH022,
  bhH023,
  bhH024,
  bhH025,
  bhH026,
  bhH027,
  bhH028,
  bhH029,
  bhH030,
  bhH031,
  bhH032,
  bhH033,
  bhH034,
  bhH035,
  bhH036,
  bhH037,
  bhH038,
  bhH039,
  bhH040,
  bhH041,
  bhH042,
  bhImg001,
  bhI002,
  bhI003,
  bhI004,
];
