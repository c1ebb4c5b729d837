#!/usr/bin/env bash
# Fetches Debian's cloud kernels for the VM tests, with a private apt
# configuration under the build directory (the machine's own sources are
# neither read for suites nor changed), and unpacks each into
# OUT/vm/kernels/VER/{vmlinuz,config,version}.
#
# usage: tests/vm/fetch-kernels.sh OUT VER...    VER: 5.10, 6.1 or 6.12
#
# The mirror is the one the machine's apt already uses for Debian (override
# with VM_MIRROR=URI). A kernel already unpacked is not fetched again: delete
# OUT/vm/kernels/VER to refresh it.
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 OUT VER..." >&2; exit 2; }
out=$1
shift
vm=$(mkdir -p "$out/vm" && cd "$out/vm" && pwd)

suite_of() { # kernel series -> Debian suite and package pattern
	case $1 in
	5.10) echo "bullseye linux-image-5.10.0-.*-cloud-amd64-unsigned" ;;
	6.1) echo "bookworm linux-image-6.1.0-.*-cloud-amd64-unsigned" ;;
	6.12) echo "trixie linux-image-6.12.*-cloud-amd64-unsigned" ;;
	*) return 1 ;;
	esac
}

# shellcheck source=tests/private-apt.sh
. "$(dirname "$0")/../private-apt.sh"

apt_opts=()
apt_ready=0
apt_setup() { # one private configuration for the suites asked for, updated once per run
	[ $apt_ready = 1 ] && return 0
	local m s v lines=()
	m=$(debian_mirror "${VM_MIRROR:-}") ||
		{ echo "fetch-kernels: no Debian mirror in /etc/apt sources; set VM_MIRROR" >&2; return 1; }
	for v in "${vers[@]}"; do
		read -r s _ <<<"$(suite_of "$v")"
		lines+=("deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $m $s main")
	done
	private_apt "$vm/apt" "${lines[@]}"
	local a=$vm/apt
	echo "fetch-kernels: apt update (private lists in $a)"
	apt-get "${apt_opts[@]}" -qq update >"$a/update.log" 2>&1 ||
		{ cat "$a/update.log" >&2; echo "fetch-kernels: apt-get update failed" >&2; return 1; }
	apt_ready=1
}

vers=()
for ver in "$@"; do
	suite_of "$ver" >/dev/null ||
		{ echo "fetch-kernels: unknown kernel '$ver' (5.10, 6.1 or 6.12)" >&2; exit 2; }
	[ -s "$vm/kernels/$ver/vmlinuz" ] || vers+=("$ver")
done

for ver in "$@"; do
	dir=$vm/kernels/$ver
	if [ -s "$dir/vmlinuz" ] && [ -s "$dir/config" ]; then
		echo "fetch-kernels: $ver cached: $(cat "$dir/version")"
		continue
	fi
	read -r suite pat <<<"$(suite_of "$ver")"
	apt_setup
	# The newest package of the series in its suite.
	pkg=$(apt-cache "${apt_opts[@]}" search --names-only "^$pat\$" | cut -d' ' -f1 | sort -V | tail -1)
	[ -n "$pkg" ] || { echo "fetch-kernels: no package matches '$pat' in $suite" >&2; exit 1; }
	echo "fetch-kernels: $ver: $pkg ($suite)"
	rm -rf "$dir.tmp"
	mkdir -p "$dir.tmp/deb"
	(cd "$dir.tmp/deb" && apt-get "${apt_opts[@]}" -qq download "$pkg") ||
		{ echo "fetch-kernels: download of $pkg failed" >&2; exit 1; }
	dpkg-deb -x "$dir.tmp"/deb/*.deb "$dir.tmp/x"
	cp "$dir.tmp"/x/boot/vmlinuz-* "$dir.tmp/vmlinuz"
	cp "$dir.tmp"/x/boot/config-* "$dir.tmp/config"
	echo "$pkg $(basename "$dir.tmp"/x/boot/vmlinuz-* | sed 's/^vmlinuz-//')" >"$dir.tmp/version"
	rm -rf "$dir.tmp/x" "$dir.tmp/deb"
	rm -rf "$dir"
	mv "$dir.tmp" "$dir"
done
