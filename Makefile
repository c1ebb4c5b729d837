# uringaudit: audit for Linux io_uring with eBPF.
#
#   make            build bpf objects, skeleton and the uringaudit binary
#   make deps       install the Debian packages needed to build and test (apt, idempotent)
#   make check      all tests (unit tests always; integration tests need root)
#   make run        run the daemon with the built-in default rules, records to stdout
#   make vmlinux    regenerate bpf/vmlinux.h from the running kernel
#   make install    binary, unit, config, default rules, man pages (DESTDIR, PREFIX)
#   V=1             show the commands
#
# Three pattern rules as in libbpf's examples: clang -target bpf -> bpftool gen
# object -> bpftool gen skeleton.

.DELETE_ON_ERROR:
.SECONDARY:
.SUFFIXES:

CC ?= cc
CLANG ?= clang
BPFTOOL ?= bpftool
ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')

OUT := build
# The version: git describe of a v* tag, else the VERSION file.
VERSION := $(shell scripts/version.sh)
# Where `make install` puts the configuration: compiled in as the default --config.
SYSCONFDIR ?= /etc

ifeq ($(V),1)
Q :=
msg =
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

WARN := -Wall -Wextra -Werror -Wno-unused-parameter
CFLAGS ?= -O2 -g
ALL_CFLAGS := -std=gnu11 $(WARN) $(CFLAGS) -D_GNU_SOURCE -Ilib -Ibpf -I$(OUT) \
	-DUA_VERSION='"$(VERSION)"' -DUA_SYSCONFDIR='"$(SYSCONFDIR)"' -MMD -MP
LDLIBS := -lbpf -lelf -lz -laudit -lpthread

BPF_CFLAGS := -g -O2 -Wall -Werror -target bpf -D__TARGET_ARCH_$(ARCH) -Ibpf

LIB_SRC := $(wildcard lib/*.c)
LIB_OBJ := $(patsubst lib/%.c,$(OUT)/lib/%.o,$(LIB_SRC))
SRC := $(wildcard src/*.c)
SRC_OBJ := $(patsubst src/%.c,$(OUT)/src/%.o,$(SRC))
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(patsubst tests/unit/%.c,$(OUT)/tests/%,$(UNIT_SRC))
FUZZ_SRC := $(wildcard tests/unit/fuzz_*.c)
FUZZ_BIN := $(patsubst tests/unit/%.c,$(OUT)/fuzz/%,$(FUZZ_SRC))
FUZZ_SECONDS ?= 60
BPFTEST_SRC := $(wildcard tests/bpf/*.bpf.c)
BPFTEST_BIN := $(patsubst tests/bpf/%.bpf.c,$(OUT)/tests/test_bpf_%,$(BPFTEST_SRC))
PROG_SRC := $(wildcard tests/progs/*.c)
PROG_BIN := $(patsubst tests/progs/%.c,$(OUT)/tests/%,$(PROG_SRC))
# What `make install` installs besides the binary, made in $(OUT)/dist.
MANS := $(wildcard docs/man/*.[0-9])
DIST_OUT := $(OUT)/dist/50-default.rules

.PHONY: all
all: $(OUT)/uringaudit $(DIST_OUT)

$(OUT)/bpf/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h) | $(OUT)/bpf
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@.tmp
	$(Q)$(BPFTOOL) gen object $@ $@.tmp
	$(Q)rm -f $@.tmp

$(OUT)/%.skel.h: $(OUT)/bpf/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $* > $@

# The same object for kernels without the bpf_rdonly_cast kfunc (6.1): built
# with UA_NO_RDONLY_CAST (bpf/kernel_defs.bpf.h), it reads untyped kernel
# pointers with bpf_probe_read_kernel. The loader opens uringaudit's skeleton
# on its bytes, so the two must have the same maps, programs and data: the
# skeletons bpftool makes of both are compared, less their bytes.
$(OUT)/bpf/uringaudit_compat.bpf.o: bpf/uringaudit.bpf.c $(wildcard bpf/*.h) | $(OUT)/bpf
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -DUA_NO_RDONLY_CAST -c $< -o $@.tmp
	$(Q)$(BPFTOOL) gen object $@ $@.tmp
	$(Q)rm -f $@.tmp

$(OUT)/uringaudit_compat.skel.h: $(OUT)/bpf/uringaudit_compat.bpf.o $(OUT)/bpf/uringaudit.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name uringaudit | sed '/elf_bytes/,$$d' > $@.a
	$(Q)$(BPFTOOL) gen skeleton $(OUT)/bpf/uringaudit.bpf.o name uringaudit | sed '/elf_bytes/,$$d' > $@.b
	$(Q)cmp -s $@.a $@.b || { diff $@.a $@.b | head -20; \
		echo "uringaudit_compat.bpf.o differs from uringaudit.bpf.o in maps, programs or data" >&2; \
		rm -f $@.a $@.b; exit 1; }
	$(Q)rm -f $@.a $@.b
	$(Q)$(BPFTOOL) gen skeleton $< name uringaudit_compat > $@

$(OUT)/lib/%.o: lib/%.c | $(OUT)/lib
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

# The daemon includes the skeletons.
$(SRC_OBJ): $(OUT)/uringaudit.skel.h $(OUT)/holders.skel.h $(OUT)/uringaudit_compat.skel.h \
	$(OUT)/deny.skel.h $(OUT)/tamper.skel.h
$(OUT)/src/%.o: src/%.c | $(OUT)/src
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

$(OUT)/uringaudit: $(SRC_OBJ) $(LIB_OBJ)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(filter %.o,$^) $(LDLIBS) -o $@

$(OUT)/tests/test_%: tests/unit/test_%.c $(LIB_OBJ) | $(OUT)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -Itests/unit -DUA_GOLDEN_DIR='"tests/golden"' $(filter %.c %.o,$^) -o $@

# The BPF helpers under BPF_PROG_RUN (tests/bpf): a test object that includes
# the product's bpf/*.bpf.h (helpers it does not call are unused there), its
# skeleton, and a runner that skips without root or BTF.
$(OUT)/tests/bpf/%.bpf.o: tests/bpf/%.bpf.c $(wildcard bpf/*.h) | $(OUT)/tests/bpf
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -Wno-unused-function -c $< -o $@.tmp
	$(Q)$(BPFTOOL) gen object $@ $@.tmp
	$(Q)rm -f $@.tmp

$(OUT)/tests/bpf/%.skel.h: $(OUT)/tests/bpf/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $* > $@

$(OUT)/tests/test_bpf_%: tests/bpf/test_%.c $(OUT)/tests/bpf/%.skel.h $(LIB_OBJ) | $(OUT)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -Itests/unit -I$(OUT)/tests/bpf $(filter %.c %.o,$^) $(LDLIBS) -o $@

$(OUT)/tests/%: tests/progs/%.c | $(OUT)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) -std=gnu11 $(WARN) $(CFLAGS) -Ilib -Ibpf $< -luring -lpthread -o $@

# libFuzzer targets, one per parser (clang's -fsanitize=fuzzer).
$(OUT)/fuzz/%: tests/unit/%.c $(LIB_SRC) lib/*.h bpf/ua_abi.h | $(OUT)/fuzz
	$(call msg,FUZZ,$@)
	$(Q)$(CLANG) -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -D_GNU_SOURCE \
		-Ilib -Ibpf -Itests/unit $< $(LIB_SRC) -o $@

# Each fuzzer for FUZZ_SECONDS (default 60); the tests run them briefly.
.PHONY: fuzz
fuzz: $(FUZZ_BIN)
	$(Q)for f in $(FUZZ_BIN); do \
		mkdir -p $(OUT)/corpus/$${f##*/}; \
		$$f -max_total_time=$(FUZZ_SECONDS) $(OUT)/corpus/$${f##*/} \
			$$(ls -d tests/corpus/$${f##*/} 2>/dev/null) || exit 1; \
	done

$(OUT)/bpf $(OUT)/lib $(OUT)/src $(OUT)/tests $(OUT)/tests/bpf $(OUT)/fuzz:
	$(Q)mkdir -p $@

.PHONY: tests
tests: $(OUT)/uringaudit $(DIST_OUT) $(UNIT_BIN) $(BPFTEST_BIN) $(PROG_BIN) $(FUZZ_BIN)

# The README's test command. Unit tests run anywhere; integration tests load
# BPF and skip (saying why) without root or the kernel features they need.
.PHONY: check
check: tests
	$(Q)tests/run-all.sh $(OUT)

# The integration tests alone, ending with the adversarial table (tests/adversarial.tsv):
# each technique an attacker uses to hide io_uring activity, caught, failed or skipped.
.PHONY: check-adversarial
check-adversarial: tests
	$(Q)tests/run-all.sh --integration-only $(OUT)

.PHONY: check-unit
check-unit: $(UNIT_BIN) $(FUZZ_BIN)
	$(Q)tests/run-all.sh --unit-only $(OUT)

# Every test against an ASan/UBSan build of the daemon, the library and the
# driver (a sanitizer report from the daemon fails the integration test).
.PHONY: check-asan
check-asan:
	$(Q)$(MAKE) --no-print-directory OUT=build-asan \
		CFLAGS='-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer' check

.PHONY: run demo
run: $(OUT)/uringaudit $(OUT)/tests/uring_driver
	@echo "make run: records on stdout; to make one, in another shell:" \
		"$(OUT)/tests/uring_driver openat:/etc/hostname (or: make demo)" >&2
	$(OUT)/uringaudit run --log -

# Start, three io_uring opens recorded, stop: what a record looks like.
demo: $(OUT)/uringaudit $(OUT)/tests/uring_driver
	scripts/demo.sh $(OUT)

.PHONY: deps bench-deps
deps:
	scripts/install-deps.sh
bench-deps:
	scripts/install-deps.sh bench

.PHONY: vmlinux
vmlinux:
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > bpf/vmlinux.h

.PHONY: format lint
format:
	clang-format -i bpf/*.c bpf/*.bpf.h bpf/ua_abi.h bpf/uringaudit.h bpf/holders.h lib/*.c lib/*.h src/*.c src/*.h tests/unit/*.c tests/bpf/*.c tests/progs/*.c dist/*.c
lint:
	clang-format --dry-run --Werror bpf/*.bpf.c bpf/*.bpf.h bpf/ua_abi.h bpf/uringaudit.h bpf/holders.h lib/*.c lib/*.h src/*.c src/*.h dist/*.c
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
		--library=scripts/cppcheck-libbpf.cfg --suppress=missingIncludeSystem -Ilib -Ibpf lib src

.PHONY: clean
clean:
	rm -rf $(OUT) build-asan

-include $(wildcard $(OUT)/lib/*.d $(OUT)/src/*.d $(OUT)/tests/*.d)

# ---- install (issue 14): BEGIN --------------------------------------------
# make install [DESTDIR=/staging] [PREFIX=/usr/local] [SYSCONFDIR=/etc]
# The configuration and the rules are installed only when absent (an admin's
# edits survive a reinstall); make uninstall removes them only when unchanged.
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
UNITDIR ?= $(PREFIX)/lib/systemd/system
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
SUBST = sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
	-e 's|@VERSION@|$(VERSION)|g'

$(OUT)/dist:
	$(Q)mkdir -p $@

$(OUT)/dist/gen_default_rules: dist/gen_default_rules.c $(LIB_OBJ) | $(OUT)/dist
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $(filter %.c %.o,$^) -o $@

# The built-in rules as a file: one definition (lib/default_rules.c).
$(OUT)/dist/50-default.rules: $(OUT)/dist/gen_default_rules
	$(call msg,GEN,$@)
	$(Q)$< > $@

# Installed by path, each with its mode; t_install.sh checks the same list.
# The unit and the man pages name the install paths: substituted here.
.PHONY: install uninstall
install: $(OUT)/uringaudit $(DIST_OUT)
	install -D -m 0755 $(OUT)/uringaudit $(DESTDIR)$(SBINDIR)/uringaudit
	install -d -m 0755 $(DESTDIR)$(UNITDIR)
	$(SUBST) dist/uringaudit.service.in > $(DESTDIR)$(UNITDIR)/uringaudit.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/uringaudit.service
	install -D -m 0644 dist/uringaudit.tmpfiles $(DESTDIR)$(TMPFILESDIR)/uringaudit.conf
	install -D -m 0644 dist/uringaudit.bash-completion $(DESTDIR)$(COMPLETIONDIR)/uringaudit
	install -d -m 0750 $(DESTDIR)$(SYSCONFDIR)/uringaudit $(DESTDIR)$(SYSCONFDIR)/uringaudit/rules.d
	[ -e $(DESTDIR)$(SYSCONFDIR)/uringaudit/uringaudit.conf ] || { \
		$(SUBST) dist/uringaudit.conf > $(DESTDIR)$(SYSCONFDIR)/uringaudit/uringaudit.conf && \
		chmod 0640 $(DESTDIR)$(SYSCONFDIR)/uringaudit/uringaudit.conf; }
	[ -e $(DESTDIR)$(SYSCONFDIR)/uringaudit/rules.d/50-default.rules ] || \
		install -m 0640 $(OUT)/dist/50-default.rules \
			$(DESTDIR)$(SYSCONFDIR)/uringaudit/rules.d/50-default.rules
	for m in $(notdir $(MANS)); do \
		d=$(DESTDIR)$(MANDIR)/man$${m##*.}; install -d -m 0755 $$d && \
		$(SUBST) docs/man/$$m > $$d/$$m && chmod 0644 $$d/$$m || exit 1; \
	done

uninstall:
	# A pin set left by a killed daemon must not keep the programs attached
	# (the running system's only: not under a DESTDIR).
	-[ -n "$(DESTDIR)" ] || [ ! -x $(SBINDIR)/uringaudit ] || $(SBINDIR)/uringaudit unpin
	rm -f $(DESTDIR)$(SBINDIR)/uringaudit $(DESTDIR)$(UNITDIR)/uringaudit.service \
		$(DESTDIR)$(TMPFILESDIR)/uringaudit.conf $(DESTDIR)$(COMPLETIONDIR)/uringaudit
	for m in $(notdir $(MANS)); do rm -f $(DESTDIR)$(MANDIR)/man$${m##*.}/$$m; done
	-$(SUBST) dist/uringaudit.conf | cmp -s - $(DESTDIR)$(SYSCONFDIR)/uringaudit/uringaudit.conf && \
		rm -f $(DESTDIR)$(SYSCONFDIR)/uringaudit/uringaudit.conf
	-cmp -s $(OUT)/dist/50-default.rules \
		$(DESTDIR)$(SYSCONFDIR)/uringaudit/rules.d/50-default.rules && \
		rm -f $(DESTDIR)$(SYSCONFDIR)/uringaudit/rules.d/50-default.rules
	-rmdir $(DESTDIR)$(SYSCONFDIR)/uringaudit/rules.d $(DESTDIR)$(SYSCONFDIR)/uringaudit \
		2>/dev/null
# ---- install (issue 14): END ----------------------------------------------

# ---- bench (issue 5): BEGIN ------------------------------------------------
# `make bench` (several minutes) and `make bench-quick` (under two minutes)
# measure what uringaudit adds to io_uring against no auditing, empty BPF
# programs on the same tracepoints (the floor) and the kernel's own io_uring
# audit. Root only; see BENCHMARKS.md. Results: $(OUT)/bench/results*.md.
# Needs liburing-dev and libaudit-dev to build; auditd and fio to measure
# every variant (without them those columns are skipped, saying why).
BENCH_SRC := $(wildcard bench/*.c)
BENCH_C := $(filter-out %.bpf.c,$(BENCH_SRC))
BENCH_OBJ := $(patsubst bench/%.c,$(OUT)/bench/%.o,$(BENCH_C))

$(OUT)/bench:
	$(Q)mkdir -p $@

$(OUT)/bench/ua_floor.bpf.o: bench/floor.bpf.c bpf/vmlinux.h | $(OUT)/bench
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@.tmp
	$(Q)$(BPFTOOL) gen object $@ $@.tmp
	$(Q)rm -f $@.tmp

$(OUT)/bench/ua_floor.skel.h: $(OUT)/bench/ua_floor.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name ua_floor > $@

# A clear word instead of a compiler error when a header is missing.
.PHONY: bench-check-deps
bench-check-deps:
	$(Q)for h in liburing.h libaudit.h; do [ -f /usr/include/$$h ] || { \
		echo "bench: /usr/include/$$h is missing: apt-get install liburing-dev libaudit-dev" >&2; \
		exit 1; }; done

# variant.c drives uringaudit's own loader (ua-none) and the floor skeleton.
$(BENCH_OBJ): $(OUT)/bench/ua_floor.skel.h $(OUT)/uringaudit.skel.h | bench-check-deps
$(OUT)/bench/%.o: bench/%.c | $(OUT)/bench
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -Isrc -I$(OUT)/bench -c $< -o $@

$(OUT)/bench/uabench: $(BENCH_OBJ) $(OUT)/src/loader.o $(OUT)/src/addrprobe.o $(OUT)/src/pin.o $(OUT)/src/perop.o $(LIB_OBJ)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ -luring -laudit -lpthread -lm $(LDLIBS) -o $@

.PHONY: bench bench-quick bench-flood bench-baseline
bench: $(OUT)/uringaudit $(OUT)/bench/uabench
	$(Q)bench/run.sh $(OUT) full

# The flood series alone (issue 11's consumer cost), beside a baseline built
# from BENCH_BASELINE_REF (default main) in the same run: `make bench-flood`;
# BENCH_BASELINE_REF= (empty) for no baseline; FLOOD_RATES=300000,0 for
# chosen steps only (req/s, 0 unpaced); FLOOD_SECS=S per step; BENCH_ARGS for
# more uabench options (--foreign-ok --foreign-wait 30 on a shared machine);
# FLOOD_GEN=P,T the generator step's processes and threads (default 2,1; 0: none).
BENCH_BASELINE_REF ?= main
BASELINE_DIR := $(OUT)/bench/baseline
bench-baseline:
	$(Q)test -n "$(BENCH_BASELINE_REF)" || { echo "bench-baseline: BENCH_BASELINE_REF is empty" >&2; exit 2; }
	$(Q)rm -rf $(BASELINE_DIR) && mkdir -p $(BASELINE_DIR)
	$(Q)git archive --format=tar $(BENCH_BASELINE_REF) | tar -x -C $(BASELINE_DIR)
	$(Q)git rev-parse $(BENCH_BASELINE_REF) >$(BASELINE_DIR)/REVISION
	$(Q)$(MAKE) -C $(BASELINE_DIR) OUT=build build/uringaudit >$(BASELINE_DIR)/build.log 2>&1 || { tail -20 $(BASELINE_DIR)/build.log >&2; exit 1; }
	@echo "bench-baseline: $(BASELINE_DIR)/build/uringaudit from $(BENCH_BASELINE_REF) ($$(cat $(BASELINE_DIR)/REVISION))"

bench-flood: $(OUT)/uringaudit $(OUT)/bench/uabench $(if $(BENCH_BASELINE_REF),bench-baseline)
	$(Q)BENCH_BASELINE=$(if $(BENCH_BASELINE_REF),$(BASELINE_DIR)/build/uringaudit) bench/run.sh $(OUT) flood \
		$(if $(FLOOD_RATES),--flood-rates $(FLOOD_RATES)) $(if $(FLOOD_SECS),--flood-secs $(FLOOD_SECS)) \
		$(if $(FLOOD_GEN),--flood-gen $(FLOOD_GEN)) $(BENCH_ARGS)

bench-quick: $(OUT)/uringaudit $(OUT)/bench/uabench
	$(Q)bench/run.sh $(OUT) quick

# liburing's own tests with and without a daemon recording -S all (issue 11):
# broken tests, the daemon alive, the share of events lost. 10+ minutes.
.PHONY: bench-liburing
bench-liburing: $(OUT)/uringaudit
	$(Q)bench/liburing-suite.sh $(OUT)

-include $(wildcard $(OUT)/bench/*.d)
# ---- bench (issue 5): END --------------------------------------------------

# ---- vm (issue 12): BEGIN --------------------------------------------------
# `make check-vm` boots Debian's cloud kernels under QEMU (TCG) with an
# initramfs holding this build, and runs the integration suite inside each:
# per-test results on the host, tagged with the kernel. VM_KERNELS lists the
# kernel series (5.10, 6.1, 6.12); packages are fetched once into $(OUT)/vm.
# VM_TIMEOUT (seconds, default 3600) kills a guest that hangs, and
# VM_BOOT_TIMEOUT (default 120) one whose boot hangs (booted again once); VM_TESTS
# (integration script names) runs a subset. `make vm-shell` boots the first
# of VM_KERNELS with a shell on the console instead.
VM_KERNELS ?= 6.1

.PHONY: check-vm vm-shell
check-vm: $(OUT)/uringaudit $(PROG_BIN)
	$(Q)tests/vm/run-vm.sh $(OUT) $(VM_KERNELS)

vm-shell: $(OUT)/uringaudit $(PROG_BIN)
	$(Q)tests/vm/run-vm.sh --shell $(OUT) $(firstword $(VM_KERNELS))

# `make bench-vm` runs uabench inside each guest of VM_KERNELS: no daemon,
# the tracepoint and the per-op backend, each with none and with all of the
# workloads' opcodes selected, side by side, and the BPF program runs per
# request beside each (VM_BENCH_ARGS: other uabench arguments). 10 to 25
# minutes a kernel under TCG; reports in $(OUT)/bench/results-vm-VER.md
# (BENCHMARKS.md, "Per-op backend, in a VM"). `make check-bench-vm` checks
# that plumbing with tiny counts in one guest (tests/vm/t_benchvm.sh, about
# 5 minutes; not part of make check).
.PHONY: bench-vm check-bench-vm
bench-vm: $(OUT)/uringaudit $(OUT)/bench/uabench $(PROG_BIN)
	$(Q)tests/vm/run-vm.sh --bench $(OUT) $(VM_KERNELS)

check-bench-vm: $(OUT)/uringaudit $(OUT)/bench/uabench $(PROG_BIN)
	$(Q)UA_BUILD=$(OUT) bash tests/vm/t_benchvm.sh $(firstword $(VM_KERNELS))
# ---- vm (issue 12): END ----------------------------------------------------
