# llmops: `make` builds ./llmops; `make check` installs what is missing, builds
# warning-free with -Werror and runs every test; `make demo` opens the demo.

CC ?= cc
PREFIX ?= /usr/local
PKGS := ncursesw libcurl libcjson sqlite3 libedit libzstd libprotobuf-c libmicrohttpd zlib libsodium
VERSION := 0.1.0

OPT ?= -O2 -g
WARN := -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes -Wno-missing-field-initializers
ifeq ($(WERROR),1)
WARN += -Werror
endif
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CFLAGS_ALL = -std=gnu11 -D_GNU_SOURCE -DLLMOPS_VERSION='"$(VERSION)"' $(OPT) $(WARN) -I$(GEN) $(PKG_CFLAGS) $(CFLAGS)
LIBS = $(PKG_LIBS) -lpthread -lm

LIB_SRC := $(wildcard core/*.c data/*.c tui/*.c views/*.c)
TEST_SRC := $(wildcard tests/unit/*.c)

B := build
# Code generated from data/otlp.proto by protoc-c; never committed.
GEN := $(B)/gen
PB_H := $(GEN)/otlp.pb-c.h
LIB_OBJ := $(LIB_SRC:%.c=$(B)/%.o) $(B)/keymaps.o $(GEN)/otlp.pb-c.o
TEST_OBJ := $(TEST_SRC:%.c=$(B)/%.o)

SAN := build-san
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
SAN_LIB_OBJ := $(LIB_SRC:%.c=$(SAN)/%.o) $(SAN)/keymaps.o $(SAN)/gen/otlp.pb-c.o
SAN_TEST_OBJ := $(TEST_SRC:%.c=$(SAN)/%.o)

.PHONY: all check demo bench bench-clickhouse install clean deps deps-test unit unit-san cli screen tmux fuzz fuzz-regress

all: llmops

# Objects rebuild when the flags change (make check adds -Werror).
$(B)/.flags: FORCE
	@mkdir -p $(B)
	@echo '$(CC) $(CFLAGS_ALL)' | cmp -s - $@ || echo '$(CC) $(CFLAGS_ALL)' > $@
FORCE:

# Every object may include the generated header: it exists before any compiles.
$(B)/%.o: %.c $(B)/.flags | $(PB_H)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

$(GEN)/otlp.pb-c.c $(PB_H) &: data/otlp.proto
	@mkdir -p $(GEN)
	protoc-c --proto_path=data --c_out=$(GEN) data/otlp.proto

$(GEN)/otlp.pb-c.o: $(GEN)/otlp.pb-c.c $(PB_H) $(B)/.flags
	$(CC) $(CFLAGS_ALL) -c $< -o $@

$(SAN)/gen/otlp.pb-c.o: $(GEN)/otlp.pb-c.c $(PB_H) $(B)/.flags
	@mkdir -p $(SAN)/gen
	$(CC) $(CFLAGS_ALL) -O1 $(SAN_FLAGS) -c $< -o $@

# The default keymaps are compiled in from their files.
$(B)/keymaps.c: keymaps/vim.keys keymaps/emacs.keys scripts/embed.sh
	@mkdir -p $(B)
	sh scripts/embed.sh keymap_vim keymaps/vim.keys keymap_emacs keymaps/emacs.keys > $@

$(B)/keymaps.o: $(B)/keymaps.c $(B)/.flags
	$(CC) $(CFLAGS_ALL) -c $< -o $@

$(SAN)/keymaps.o: $(B)/keymaps.c $(B)/.flags
	@mkdir -p $(SAN)
	$(CC) $(CFLAGS_ALL) -O1 $(SAN_FLAGS) -c $< -o $@

# The subcommands, one file each, go into the program only (not the tests).
CLI_SRC := main.c $(wildcard cli/*.c)
CLI_OBJ := $(CLI_SRC:%.c=$(B)/%.o)

llmops: $(CLI_OBJ) $(LIB_OBJ)
	$(CC) $(CFLAGS_ALL) -o $@ $^ $(LIBS)

$(B)/unit_tests: $(TEST_OBJ) $(LIB_OBJ)
	$(CC) $(CFLAGS_ALL) -o $@ $^ $(LIBS) $(shell pkg-config --libs check 2>/dev/null)

$(SAN)/%.o: %.c $(B)/.flags | $(PB_H)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -O1 $(SAN_FLAGS) -MMD -MP -c $< -o $@

$(SAN)/unit_tests: $(SAN_TEST_OBJ) $(SAN_LIB_OBJ)
	$(CC) $(CFLAGS_ALL) -O1 $(SAN_FLAGS) -o $@ $^ $(LIBS) $(shell pkg-config --libs check 2>/dev/null)

# The console itself under the sanitizers, for the screen tests.
$(SAN)/llmops: $(CLI_SRC:%.c=$(SAN)/%.o) $(SAN_LIB_OBJ)
	$(CC) $(CFLAGS_ALL) -O1 $(SAN_FLAGS) -o $@ $^ $(LIBS)

deps:
	@sh scripts/deps.sh

deps-test:
	@sh scripts/deps.sh --test

# The unit tests run from the repository root (they read tests/corpus).
# check's own per-test timeout (4 s unless a suite sets one) guards against a
# hang; on a loaded machine, under the sanitizers, a sound test can need more.
UNIT_TIMEOUT ?= 300

unit: $(B)/unit_tests
	@echo "== unit tests"
	@CK_DEFAULT_TIMEOUT=$(UNIT_TIMEOUT) ./$(B)/unit_tests

unit-san: $(SAN)/unit_tests
	@echo "== unit tests under AddressSanitizer and UndefinedBehaviorSanitizer"
	@CK_DEFAULT_TIMEOUT=$(UNIT_TIMEOUT) ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 ./$(SAN)/unit_tests

# Command-line and terminal tests: one case a file in tests/cli/cases and
# tests/tmux/cases; CASE=NAME (or NN-NAME, or several) runs only those.
CASE ?=

cli: llmops $(B)/gen_jsonl $(B)/otlp_json2pb
	@echo "== command-line tests"
	@sh tests/cli/run.sh $(CASE)

# Screen tests: the console, built with ASan and UBSan, plays keys and its
# screens are compared with tests/screen/expected.
screen: $(SAN)/llmops
	@echo "== screen tests (console under AddressSanitizer and UndefinedBehaviorSanitizer)"
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
		LLMOPS=$(CURDIR)/$(SAN)/llmops sh tests/screen/run.sh

# What only a real terminal shows: resize, hang-up, restoring the terminal,
# the bytes the terminal receives, a watched file growing.
tmux: llmops $(B)/gen_jsonl
	@echo "== terminal tests (tmux)"
	@sh tests/tmux/run.sh $(CASE)

check: deps-test
	@$(MAKE) --no-print-directory WERROR=1 llmops $(B)/gen_jsonl $(B)/otlp_json2pb unit unit-san cli screen tmux fuzz-regress

demo: deps
	@$(MAKE) --no-print-directory llmops
	./llmops demo

bench: deps-test
	@$(MAKE) --no-print-directory llmops $(B)/gen_jsonl $(B)/runstat $(B)/otlp_load
	@sh tests/bench/run.sh

$(B)/gen_jsonl: $(B)/tests/bench/gen_jsonl.o $(LIB_OBJ)
	$(CC) $(CFLAGS_ALL) -o $@ $^ $(LIBS)

# The ClickHouse write-path benchmark (make bench-clickhouse; not in check).
$(B)/ch_load: $(B)/tests/bench/ch_load.o $(LIB_OBJ)
	$(CC) $(CFLAGS_ALL) -o $@ $^ $(LIBS)

bench-clickhouse: deps-test
	@$(MAKE) --no-print-directory $(B)/ch_load
	@sh tests/bench/ch_load.sh

# OTLP/JSON to protobuf, for the protobuf twins of the corpus and the CLI tests.
$(B)/otlp_json2pb: $(B)/tests/cli/otlp_json2pb.o $(B)/tests/unit/otlp_encode.o $(LIB_OBJ)
	$(CC) $(CFLAGS_ALL) -o $@ $^ $(LIBS)

# Exporters POSTing protobuf batches to the OTLP/HTTP receiver (make bench).
$(B)/otlp_load: $(B)/tests/bench/otlp_load.o $(GEN)/otlp.pb-c.o
	$(CC) $(CFLAGS_ALL) -o $@ $^ $(LIBS)

$(B)/runstat: tests/bench/runstat.c
	@mkdir -p $(B)
	$(CC) $(CFLAGS_ALL) -o $@ $<

install: llmops
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 llmops $(DESTDIR)$(PREFIX)/bin/llmops
	install -m 644 llmops.1 $(DESTDIR)$(PREFIX)/share/man/man1/llmops.1

# Fuzzing with clang's libFuzzer, apart from the normal build: the parsers
# of everything llmops reads from outside (the importers, the rc file, the
# providers' streams and bodies), under ASan and UBSan. `make fuzz` runs
# each target for FUZZ_SECONDS; `make fuzz-regress` replays the seeds and
# every crash ever found (tests/fuzz/regress) once.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FZ := build-fuzz
FUZZ_TARGETS := jsonl otlp otlp_pb llmdb rc sse chat_body usage
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# clang is not the compiler the warnings are held to: they show, they do
# not stop the build.
FUZZ_WARN := $(filter-out -Werror,$(WARN)) -Wno-format-nonliteral
FUZZ_CFLAGS = -std=gnu11 -D_GNU_SOURCE -DLLMOPS_VERSION='"$(VERSION)"' -O1 -g $(FUZZ_WARN) -I$(GEN) $(PKG_CFLAGS) $(FUZZ_SAN)
FUZZ_SRC := $(wildcard core/*.c data/*.c)
FUZZ_LIB_OBJ := $(FUZZ_SRC:%.c=$(FZ)/%.o) $(FZ)/gen/otlp.pb-c.o
FUZZ_BIN := $(FUZZ_TARGETS:%=$(FZ)/fuzz_%)

$(FZ)/.flags: FORCE
	@mkdir -p $(FZ)
	@echo '$(FUZZ_CC) $(FUZZ_CFLAGS)' | cmp -s - $@ || echo '$(FUZZ_CC) $(FUZZ_CFLAGS)' > $@

$(FZ)/%.o: %.c $(FZ)/.flags | $(PB_H)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(FZ)/gen/otlp.pb-c.o: $(GEN)/otlp.pb-c.c $(PB_H) $(FZ)/.flags
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

# An archive, so that a target links only the modules it reaches.
$(FZ)/libllmops.a: $(FUZZ_LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(FZ)/fuzz_%: $(FZ)/tests/fuzz/fuzz_%.o $(FZ)/libllmops.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $^ $(LIBS)

.SECONDARY: $(FUZZ_TARGETS:%=$(FZ)/tests/fuzz/fuzz_%.o)

fuzz: deps-test
	@$(MAKE) --no-print-directory -s $(FUZZ_BIN)
	@FUZZ_SECONDS=$(FUZZ_SECONDS) sh tests/fuzz/run.sh fuzz $(FUZZ_TARGETS)

fuzz-regress: $(FUZZ_BIN)
	@echo "== fuzz regressions (seeds and every crash found, once each)"
	@sh tests/fuzz/run.sh regress $(FUZZ_TARGETS)

clean:
	rm -rf $(B) $(SAN) $(FZ) llmops

# The sanitizer objects too: without their dependencies a changed header
# (the action table) would leave objects that disagree on an enum.
-include $(LIB_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(B)/tests/bench/gen_jsonl.d $(B)/tests/bench/ch_load.d $(B)/tests/cli/otlp_json2pb.d
-include $(SAN_LIB_OBJ:.o=.d) $(SAN_TEST_OBJ:.o=.d) $(CLI_SRC:%.c=$(SAN)/%.d)
-include $(FUZZ_LIB_OBJ:.o=.d) $(FUZZ_TARGETS:%=$(FZ)/tests/fuzz/fuzz_%.d)
