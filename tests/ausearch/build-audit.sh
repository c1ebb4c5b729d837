#!/usr/bin/env bash
# Builds audit-userspace's ausearch, aureport and auditctl (3.1.1 or later: the
# first to know io_uring's URINGOP records) from Debian trixie's `audit` source
# package (or a newer suite's, where the mirror lacks trixie's files),
# with a private apt configuration under the build directory (the machine's
# own sources are neither read for suites nor changed), into OUT/audit/.
#
# usage: tests/ausearch/build-audit.sh OUT
# Prints the directory holding ausearch, aureport and auditctl on stdout and
# exits 0; exits 1 with a one-line reason on stderr when it cannot (no mirror,
# a build dependency missing). A finished build is not redone: delete
# OUT/audit to refresh it. The mirror is the machine's (override: AUDIT_MIRROR).
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 OUT" >&2; exit 2; }
out=$(mkdir -p "$1/audit" && cd "$1/audit" && pwd)
say() { echo "build-audit: $*" >&2; }

tools="ausearch aureport auditctl"
if [ -s "$out/version" ] && [ -x "$out/inst/sbin/ausearch" ] && [ -x "$out/inst/sbin/aureport" ] &&
	[ -x "$out/inst/sbin/auditctl" ]; then
	echo "$out/inst/sbin"
	exit 0
fi

# Build tools: gcc and make come with `make deps`, and so do the autotools
# (newer packages ship no configure).
for t in gcc make dpkg-source; do
	command -v "$t" >/dev/null || { say "missing $t"; exit 1; }
done

# shellcheck source=tests/private-apt.sh
. "$(dirname "$0")/../private-apt.sh"

a=$out/apt
m=$(debian_mirror "${AUDIT_MIRROR:-}") || { say "no Debian mirror in /etc/apt sources; set AUDIT_MIRROR"; exit 1; }
# trixie's package first (4.0.2); where the mirror lacks its files, a newer suite's.
suites=${AUDIT_SUITES:-trixie forky sid}
lines=()
for s in $suites; do
	lines+=("deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $m $s main")
done
private_apt "$a" "${lines[@]}"
if [ ! -d "$out/src" ]; then
	say "apt update (private lists in $a)"
	apt-get "${apt_opts[@]}" -qq update >"$a/update.log" 2>&1 ||
		{ cat "$a/update.log" >&2; say "apt-get update failed"; exit 1; }
	got=""
	: >"$a/source.log"
	for s in $suites; do
		rm -rf "$out/dl" && mkdir -p "$out/dl"
		if (cd "$out/dl" && apt-get "${apt_opts[@]}" -qq source --download-only "audit/$s" >>"$a/source.log" 2>&1); then
			got=$s
			break
		fi
		say "the audit source package of $s could not be downloaded"
	done
	[ -n "$got" ] || { cat "$a/source.log" >&2; say "download of the audit source package failed ($suites)"; exit 1; }
	say "audit source package from $got"
	dsc=$(ls "$out"/dl/audit_*.dsc | head -1)
	(cd "$out/dl" && dpkg-source --no-check -x "$dsc" "$out/src.tmp" >"$a/extract.log" 2>&1) ||
		{ cat "$a/extract.log" >&2; say "dpkg-source -x failed"; exit 1; }
	basename "$dsc" .dsc >"$out/src.tmp/.ua-package"
	mv "$out/src.tmp" "$out/src"
fi

cd "$out/src"
if [ ! -x configure ]; then
	for t in autoreconf libtoolize; do
		command -v "$t" >/dev/null ||
			{ say "missing $t (apt-get install autoconf automake libtool) to generate audit's configure"; exit 1; }
	done
	autoreconf -fi >"$out/autoreconf.log" 2>&1 ||
		{ tail -20 "$out/autoreconf.log" >&2; say "autoreconf failed"; exit 1; }
fi
# The libraries and the tools alone: no bindings, plugins or listeners that
# would need more packages; io_uring rules in auditctl (-a always,io_uring).
conf=(--prefix="$out/inst" --without-python3 --without-golang --disable-zos-remote
	--without-libcap-ng --disable-listener --with-io_uring --disable-shared)
if [ "$(cat "$out/configured" 2>/dev/null)" != "${conf[*]}" ]; then
	./configure "${conf[@]}" >"$out/configure.log" 2>&1 ||
		{ tail -20 "$out/configure.log" >&2; say "configure failed (see $out/configure.log)"; exit 1; }
	echo "${conf[*]}" >"$out/configured"
fi
# The three libraries the tools link, then the tools: not auditd, its plugins
# or libev.
jobs=${AUDIT_JOBS:-2}
: >"$out/make.log"
for d in common lib auparse; do
	make -j"$jobs" -C "$d" >>"$out/make.log" 2>&1 ||
		{ tail -20 "$out/make.log" >&2; say "make -C $d failed (see $out/make.log)"; exit 1; }
done
make -j"$jobs" -C src $tools >>"$out/make.log" 2>&1 ||
	{ tail -20 "$out/make.log" >&2; say "make failed (see $out/make.log)"; exit 1; }
mkdir -p "$out/inst/sbin"
for t in $tools; do
	p=src/$t
	[ -f src/.libs/$t ] && p=src/.libs/$t
	cp "$p" "$out/inst/sbin/$t"
done
"$out/inst/sbin/ausearch" -v 2>&1 | head -1 >"$out/version"
echo "$out/inst/sbin"
