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
import { rule as r012 } from './bh-df-012-latest-tag.js';
import { rule as r013 } from './bh-df-013-untagged-image.js';
import { rule as r014 } from './bh-df-014-sudo.js';
import { rule as r015 } from './bh-df-015-cd-instead-of-workdir.js';
import { rule as r016 } from './bh-df-016-apt-get-missing-yes.js';
import { rule as r017 } from './bh-df-017-apt-no-install-recommends.js';
import { rule as r018 } from './bh-df-018-apt-lists-not-removed.js';
import { rule as r019 } from './bh-df-019-package-index-update-alone.js';
import { rule as r020 } from './bh-df-020-apt-instead-of-apt-get.js';
import { rule as r021 } from './bh-df-021-apk-no-cache.js';
import { rule as r022 } from './bh-df-022-pip-no-cache-dir.js';
import { rule as r023 } from './bh-df-023-add-instead-of-copy.js';
import { rule as r024 } from './bh-df-024-copy-dest-not-dir.js';
import { rule as r025 } from './bh-df-025-copy-from-own-stage.js';
import { rule as r026 } from './bh-df-026-copy-from-unknown-stage.js';
import { rule as r027 } from './bh-df-027-duplicate-stage-name.js';
import { rule as r028 } from './bh-df-028-shell-form-entrypoint.js';
import { rule as r029 } from './bh-df-029-multiple-cmd.js';
import { rule as r030 } from './bh-df-030-multiple-entrypoint.js';
import { rule as r031 } from './bh-df-031-multiple-healthcheck.js';
import { rule as r032 } from './bh-df-032-relative-workdir.js';
import { rule as r033 } from './bh-df-033-invalid-port.js';
import { rule as r034 } from './bh-df-034-ssh-port-exposed.js';
import { rule as r035 } from './bh-df-035-maintainer-deprecated.js';
import { rule as r036 } from './bh-df-036-curl-and-wget.js';
import { rule as r037 } from './bh-df-037-pipe-without-pipefail.js';
import { rule as r038 } from './bh-df-038-yum-missing-yes.js';
import { rule as r039 } from './bh-df-039-dnf-missing-yes.js';
import { rule as r040 } from './bh-df-040-zypper-missing-non-interactive.js';
import { rule as r041 } from './bh-df-041-yum-cache-not-cleaned.js';
import { rule as r042 } from './bh-df-042-dnf-cache-not-cleaned.js';
import { rule as r043 } from './bh-df-043-zypper-cache-not-cleaned.js';
import { rule as r044 } from './bh-df-044-pointless-commands.js';
import { rule as r045 } from './bh-df-045-useradd-high-uid.js';
import { rule as r046 } from './bh-df-046-instruction-before-from.js';
import { rule as r047 } from './bh-df-047-shell-syntax-error.js';
import { rule as r048 } from './bh-df-048-required-label-missing.js';
import { rule as r049 } from './bh-df-049-label-value-invalid.js';
import { rule as r050 } from './bh-df-050-invalid-label-key.js';
import { rule as r051 } from './bh-df-051-env-self-reference.js';
import { rule as r052 } from './bh-df-052-constant-platform.js';
import { rule as r053 } from './bh-df-053-apt-version-not-pinned.js';
import { rule as r054 } from './bh-df-054-apk-version-not-pinned.js';
import { rule as r055 } from './bh-df-055-pip-version-not-pinned.js';
import { rule as r056 } from './bh-df-056-npm-version-not-pinned.js';
import { rule as r057 } from './bh-df-057-gem-version-not-pinned.js';
import { rule as r058 } from './bh-df-058-copy-relative-dest-without-workdir.js';
import { rule as r059 } from './bh-df-059-forbidden-onbuild-trigger.js';
import { rule as r060 } from './bh-df-060-consecutive-run.js';
import { rule as r061 } from './bh-df-061-wget-progress.js';
import { rule as r062 } from './bh-df-062-healthcheck-missing.js';
import { rule as r063 } from './bh-df-063-unknown-instruction.js';
import { rule as r064 } from './bh-df-064-dist-upgrade.js';
import { rule as r065 } from './bh-df-065-yarn-cache-not-cleaned.js';
import { rule as r066 } from './bh-df-066-replace-bin-sh.js';
import { rule as r067 } from './bh-df-067-yum-version-not-pinned.js';
import { rule as r068 } from './bh-df-068-dnf-version-not-pinned.js';
import { rule as r069 } from './bh-df-069-zypper-version-not-pinned.js';
import { rule as r070 } from './bh-df-070-zypper-dist-upgrade.js';
import { rule as r071 } from './bh-df-071-go-install-not-pinned.js';
import { rule as r072 } from './bh-df-072-copy-then-extract.js';
import { rule as r073 } from './bh-df-073-reserved-stage-name.js';
import { rule as r074 } from './bh-df-074-expansion-capped.js';
import { rule as r075 } from './bh-df-075-label-not-in-schema.js';

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
  r012,
  r013,
  r014,
  r015,
  r016,
  r017,
  r018,
  r019,
  r020,
  r021,
  r022,
  r023,
  r024,
  r025,
  r026,
  r027,
  r028,
  r029,
  r030,
  r031,
  r032,
  r033,
  r034,
  r035,
  r036,
  r037,
  r038,
  r039,
  r040,
  r041,
  r042,
  r043,
  r044,
  r045,
  r046,
  r047,
  r048,
  r049,
  r050,
  r051,
  r052,
  r053,
  r054,
  r055,
  r056,
  r057,
  r058,
  r059,
  r060,
  r061,
  r062,
  r063,
  r064,
  r065,
  r066,
  r067,
  r068,
  r069,
  r070,
  r071,
  r072,
  r073,
  r074,
  r075,
];
