# The programs the launcher tests run: tests/attack/* (one attack each),
# tests/legit/* (well-behaved programs with exact output) and tests/tools/*
# (helpers the tests put around the launcher, e.g. a seccomp wrapper).
# Included by native/Makefile, run from native/; every program lands in
# $(BUILD)/tests/KIND/NAME (KIND: attack, legit, tools).
#
# How a source is built is told by its name:
#   NAME.c          static glibc C           gcc -static
#   NAME-musl.c     static musl C            musl-gcc -static
#   NAME-nolibc.c   freestanding, raw syscalls (for --profile=strict):
#                   gcc -nostdlib -static -fno-stack-protector -ffreestanding
#   NAME.cpp        static glibc C++         g++ -static
#   NAME.rs         static Rust              rustc -C target-feature=+crt-static
# (GNU make picks the pattern with the shortest stem, so NAME-musl.c and
# NAME-nolibc.c take their own rules, not the plain .c one.)
#
# Every program is linked non-PIE so its static data sits below 4 GiB (the
# int 0x80 attack passes such addresses in 32-bit registers).

TEST_CC      ?= gcc
TEST_CXX     ?= g++
TEST_MUSL_CC ?= $(MUSL_CC)
TEST_RUSTC   ?= rustc
TEST_CFLAGS  ?= -O2 -Wall -Wno-unused-result -D_GNU_SOURCE -fno-pie -no-pie
NOLIBC_FLAGS  = -O2 -Wall -nostdlib -static -fno-stack-protector -ffreestanding \
                -fno-builtin -fno-tree-loop-distribute-patterns -fno-pie -no-pie \
                -fcf-protection=none -fno-asynchronous-unwind-tables

T_OUT := $(BUILD)/tests

# NAME for every source, whatever its kind.
t_names = $(sort $(basename $(notdir $(wildcard tests/$(1)/*.c tests/$(1)/*.cpp tests/$(1)/*.rs))))
TEST_PROGRAMS := $(addprefix $(T_OUT)/attack/,$(call t_names,attack)) \
                 $(addprefix $(T_OUT)/legit/,$(call t_names,legit)) \
                 $(addprefix $(T_OUT)/tools/,$(call t_names,tools))

.PHONY: test-programs
test-programs: $(TEST_PROGRAMS)

$(T_OUT)/attack $(T_OUT)/legit $(T_OUT)/tools:
	mkdir -p $@

# One set of rules per folder (attack, legit, tools).
define t_rules
$(T_OUT)/$(1)/%-nolibc: tests/$(1)/%-nolibc.c | $(T_OUT)/$(1)
	$(TEST_CC) $(NOLIBC_FLAGS) -o $$@ $$<

$(T_OUT)/$(1)/%-musl: tests/$(1)/%-musl.c | $(T_OUT)/$(1)
	$(TEST_MUSL_CC) $(TEST_CFLAGS) -static -o $$@ $$<

$(T_OUT)/$(1)/%: tests/$(1)/%.c | $(T_OUT)/$(1)
	$(TEST_CC) $(TEST_CFLAGS) -static -pthread -o $$@ $$<

$(T_OUT)/$(1)/%: tests/$(1)/%.cpp | $(T_OUT)/$(1)
	$(TEST_CXX) $(TEST_CFLAGS) -static -pthread -o $$@ $$<

$(T_OUT)/$(1)/%: tests/$(1)/%.rs | $(T_OUT)/$(1)
	MAKEFLAGS= $(TEST_RUSTC) --edition=2021 -C opt-level=2 -C target-feature=+crt-static -o $$@ $$<
endef
$(eval $(call t_rules,attack))
$(eval $(call t_rules,legit))
$(eval $(call t_rules,tools))
