#!/usr/bin/env bash
# Builds the guest's root file system for the VM tests: the host's own builds
# of the daemon and the test programs (the same binaries `make check` tests),
# the integration suite, and the programs it runs, each with the shared
# libraries ldd names; busybox-static for what is left (mount, ip, poweroff).
#
# usage: tests/vm/mkinitramfs.sh OUT    -> OUT/vm/base.cpio (uncompressed newc)
#
# The kernel's config goes in a second, per-kernel archive (run-vm.sh appends
# it): libbpf reads /boot/config-RELEASE to resolve __kconfig externs.
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 OUT" >&2; exit 2; }
out=$1
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
root=$out/vm/root
rm -rf "$root"
mkdir -p "$root"/{usr/bin,usr/sbin,usr/lib,usr/lib64,etc,proc,sys,dev,tmp,run,boot,root,ua}
ln -s usr/bin "$root/bin"
ln -s usr/sbin "$root/sbin"
ln -s usr/lib "$root/lib"
ln -s usr/lib64 "$root/lib64"
chmod 1777 "$root/tmp"

need() { command -v "$1" >/dev/null || { echo "mkinitramfs: $1 is missing (make deps)" >&2; exit 1; }; }
need cpio
[ -x /bin/busybox ] || { echo "mkinitramfs: /bin/busybox is missing (busybox-static; make deps)" >&2; exit 1; }

# Files are listed first and copied in one pass at the end, at their own
# paths (the root's /bin and /lib lead to /usr as on the host).
list=$out/vm/files.list
: >"$list"
# A program and every library it loads.
prog() {
	local p
	p=$(type -P "$1" 2>/dev/null || true)
	[ -n "$p" ] || { [ -e "$1" ] && p=$1; } || { echo "mkinitramfs: $1 not found" >&2; exit 1; }
	echo "$p" >>"$list"
	ldd "$p" 2>/dev/null | grep -o '/[^ ]*' >>"$list" || true
}
# Every file of an installed Debian package.
pkg_files() {
	local f
	dpkg -L "$1" | grep -v '^/usr/share/\(man\|doc\)/' | while read -r f; do
		if [ -f "$f" ] && [ ! -L "$f" ]; then echo "$f"; fi
	done >>"$list"
}

# What the integration suite runs.
for p in bash jq setpriv perl timeout stat mktemp od cmp diff sort uniq tr cut head tail wc \
	seq tee touch chmod chown ln mkfifo id env sed grep awk find readlink realpath cat ls \
	rm mkdir mv cp sleep kill dirname basename printf date xargs nproc bpftool; do
	prog "$p"
done
pkg_files perl-base
# python3 (a free port in t_objrules): the interpreter and its minimal library;
# and, where the host has them (make deps), its standard library and
# python3-jsonschema with what it imports, for the JSON schema checks of
# t_schema and t_inflight (about 10 MB; not the libraries of the stdlib's C
# extensions, which jsonschema does not load: _ssl, _sqlite3, ...).
if [ -x /usr/bin/python3.11 ]; then
	prog /usr/bin/python3.11
	ln -sf python3.11 "$root/usr/bin/python3"
	pkg_files libpython3.11-minimal
	if dpkg -s python3-jsonschema >/dev/null 2>&1; then
		for p in libpython3.11-stdlib python3-jsonschema python3-attr python3-pyrsistent; do
			pkg_files "$p"
		done
	fi
fi
# The build under test and the suite, at /ua with the tree's layout (the
# build directory is /ua/build whatever OUT is); the benchmark when it is
# built (make bench-vm).
mkdir -p "$root/ua/build/tests" "$root/ua/build/bench"
for f in "$out/uringaudit" "$out"/tests/uring_driver "$out"/tests/ua_* "$out"/tests/audit_listen \
	"$out/bench/uabench"; do
	[ -x "$f" ] || continue
	cp "$f" "$root/ua/build/${f#"$out"/}"
	ldd "$f" 2>/dev/null | grep -o '/[^ ]*' >>"$list" || true
done
[ -x "$root/ua/build/uringaudit" ] || { echo "mkinitramfs: $out/uringaudit is not built" >&2; exit 1; }
mkdir -p "$root/ua/tests/vm"
cp -r tests/integration tests/run-all.sh tests/adversarial-table.sh tests/adversarial.tsv \
	"$root/ua/tests/"
cp tests/vm/host-only tests/vm/t_refusals.sh "$root/ua/tests/vm/"
# the JSON schemas, their checker and the golden records (t_schema, t_inflight)
mkdir -p "$root/ua/docs"
cp -r tests/schema_check.py tests/golden "$root/ua/tests/"
cp -r docs/schema "$root/ua/docs/"
# make demo's script, for t_cli's make_demo (a daemon and three opens)
mkdir -p "$root/ua/scripts"
cp scripts/demo.sh "$root/ua/scripts/"

sort -u "$list" | xargs -d '\n' cp -L --parents -t "$root"

# busybox for the rest: only where no real program was copied.
cp /bin/busybox "$root/usr/bin/busybox"
for a in $(/bin/busybox --list); do
	[ -e "$root/usr/bin/$a" ] || ln -s busybox "$root/usr/bin/$a"
done

# The files the tests read.
echo uringaudit-vm >"$root/etc/hostname"
printf 'root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' \
	>"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
printf 'root:*:19000:0:99999:7:::\n' >"$root/etc/shadow"
chmod 640 "$root/etc/shadow"
cp tests/vm/guest-init.sh "$root/init"
chmod 755 "$root/init"

(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet) >"$out/vm/base.cpio.tmp"
mv "$out/vm/base.cpio.tmp" "$out/vm/base.cpio"
echo "mkinitramfs: $out/vm/base.cpio ($(du -m "$out/vm/base.cpio" | cut -f1) MiB)"
