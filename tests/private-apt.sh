# shellcheck shell=bash
# A private apt configuration for fetching from other Debian suites: its own
# sources list, package lists and cache under a directory of the build, so the
# machine's sources are neither read for suites nor changed. Sourced by
# tests/vm/fetch-kernels.sh and tests/ausearch/build-audit.sh.

# The Debian mirror the machine's apt already uses, or $1 when set.
debian_mirror() {
	if [ -n "${1:-}" ]; then echo "$1"; return; fi
	local m
	m=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
		sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\/debian\)\/\{0,1\}$/\1/p' | head -1)
	[ -n "$m" ] || m=$(sed -n 's/^deb[[:space:]]\+\([^[:space:]]*\/debian\)\/\{0,1\}[[:space:]].*/\1/p' \
		/etc/apt/sources.list 2>/dev/null | head -1)
	[ -n "$m" ] || return 1
	echo "$m"
}

# private_apt DIR LINE...: DIR/sources.list holds the LINEs (deb or deb-src
# lines); sets apt_opts, the options that make apt-get and apt-cache use DIR.
private_apt() {
	local a=$1 l
	shift
	mkdir -p "$a/lists/partial" "$a/cache/archives/partial" "$a/etc/preferences.d"
	: >"$a/sources.list"
	for l in "$@"; do echo "$l" >>"$a/sources.list"; done
	# shellcheck disable=SC2034 # used by the scripts that source this
	apt_opts=(-o "Dir::Etc::sourcelist=$a/sources.list" -o "Dir::Etc::sourceparts=-"
		-o "Dir::State::Lists=$a/lists" -o "Dir::Cache=$a/cache"
		-o "Dir::Etc::preferencesparts=$a/etc/preferences.d" -o "APT::Get::List-Cleanup=0"
		-o "Debug::NoLocking=1" -o "Acquire::Languages=none" -o "APT::Sandbox::User=root")
}
