#!/bin/sh
# Installs what uringaudit needs to build and test on Debian 12 (idempotent).
#   scripts/install-deps.sh         build and test
#   scripts/install-deps.sh bench   also the benchmark's (fio, the kernel's audit daemon)
set -eu
pkgs="make gcc clang llvm libclang-rt-14-dev libbpf-dev bpftool libelf-dev zlib1g-dev liburing-dev pkg-config jq libaudit-dev python3-jsonschema"
# make check-vm: QEMU, the guest's busybox, the initramfs archiver
pkgs="$pkgs qemu-system-x86 busybox-static cpio"
# t_ausearch: audit-userspace's ausearch/aureport/auditctl built from Debian's
# source package (tests/ausearch/build-audit.sh), whose configure is generated
pkgs="$pkgs autoconf automake libtool dpkg-dev"
[ "${1:-}" = bench ] && pkgs="$pkgs fio auditd"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
if [ -z "$missing" ]; then
	echo "dependencies: all installed"
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing:$missing; run as root (sudo make deps)" >&2
	exit 1
fi
echo "installing:$missing"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
