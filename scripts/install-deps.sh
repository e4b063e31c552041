#!/usr/bin/env bash
# Installs what the test suite needs on a fresh Debian 12 machine: Debian packages for the real test engine and
# fixtures, and the npm dependencies. Idempotent: does nothing when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

# command -> Debian package
declare -A NEED=(
  [dockerd]=docker.io
  [runsc]=runsc
  [busybox]=busybox-static
  [debootstrap]=debootstrap
  [skopeo]=skopeo
  [docker-registry]=docker-registry
  [rpm]=rpm
  [shellcheck]=shellcheck
  [zstd]=zstd
  [openssl]=openssl
  [mkfs.ext4]=e2fsprogs
  [htpasswd]=apache2-utils
  # node-gyp builds better-sqlite3 and the watch addon (src/native)
  [g++]=g++
  [make]=make
  [python3]=python3
  [nft]=nftables
  [tcpdump]=tcpdump
  [nsenter]=util-linux
  # the watch unit test runs watch under the unit's capabilities (setpriv: util-linux) and decodes them
  [capsh]=libcap2-bin
  # fleet: dashboard tests drive Debian's Chromium; server tests initdb a private PostgreSQL
  [chromium]=chromium
  [/usr/lib/postgresql/15/bin/initdb]=postgresql
  # deploy: `server install` / `agent install` units are checked with systemd-analyze verify and security
  [systemd-analyze]=systemd
)
missing=()
for cmd in "${!NEED[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${NEED[$cmd]}")
done
# /usr/bin/docker (docker.io's CLI) must exist too; another docker client on PATH may be too new for dockerd 20.10.
[ -x /usr/bin/docker ] || missing+=(docker.io)
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing Debian packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})" >&2
    exit 1
  fi
  echo "install-deps: apt-get install ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  # The packaged services (docker, containerd, docker-registry) must not start: tests run their own daemon and
  # registry on private paths. A policy-rc.d that answers 101 ("action forbidden", invoke-rc.d(8) and
  # deb-systemd-invoke) for the length of this install keeps them from starting, and nothing that already runs
  # -- a system Docker the machine relies on -- is ever stopped. An existing policy-rc.d is the admin's: left alone.
  policy=${BULKHEAD_POLICY_RC_D:-/usr/sbin/policy-rc.d} # overridable for the script's own test
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\n# written by bulkhead scripts/install-deps.sh for one apt-get install; removed after it\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    trap 'rm -f "$policy"' EXIT
  fi
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends $(printf '%s\n' "${missing[@]}" | sort -u) >/dev/null
  if grep -q 'bulkhead scripts/install-deps.sh' "$policy" 2>/dev/null; then
    rm -f "$policy"
    trap - EXIT
  fi
fi

# npm ci only when node_modules was installed from another package-lock.json (or another Node ABI, which native
# modules are built for): a content hash stored in node_modules, not mtimes, which a fresh clone or checkout sets
# arbitrarily (re-running npm ci rebuilds better-sqlite3 for minutes). The stamp is replaced by rename, never
# written in place, so a node_modules hard-linked from another worktree (cp -al) is not changed under it.
stamp=node_modules/.bulkhead-install
want="$(sha256sum package-lock.json | cut -d' ' -f1) node-abi-$(node -p process.versions.modules)"
write_stamp() { printf '%s\n' "$want" >"$stamp.tmp" && mv -f "$stamp.tmp" "$stamp"; }
if [ ! -d node_modules ]; then
  install=1
elif [ -f "$stamp" ]; then
  if [ "$(cat "$stamp")" = "$want" ]; then install=0; else install=1; fi
elif [ -f node_modules/.package-lock.json ] && [ ! package-lock.json -nt node_modules/.package-lock.json ]; then
  # a node_modules from before the stamp existed, up to date by npm's own record: adopt it
  install=0
  write_stamp
else
  install=1
fi
if [ "$install" -eq 1 ]; then
  echo "install-deps: npm ci" >&2
  npm ci --no-audit --no-fund >/dev/null
  write_stamp
fi
# the watch addon is built by `npm ci`'s install script; a worktree whose node_modules predates it builds it here
if [ ! -f src/native/build/Release/bulkhead_watch.node ]; then
  node scripts/build-native.js
fi
