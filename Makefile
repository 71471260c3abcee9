# greenroute: the two commands a user needs are `make demo` and `make test`.
# Each installs what it needs first (scripts/install-deps.sh is idempotent).
SHELL := /bin/bash
JOBS ?= $(shell nproc)
BUILD_DIR ?= build
TEST_DIR ?= build-asan
FUZZ_DIR ?= build-fuzz
MODELS_DIR ?= models
# How long `make test` fuzzes the GGUF reader (seconds).
FUZZ_SECONDS ?= 60

# `make demo` writes the experiment's report here; DEMO_ARGS adds flags
# (e.g. DEMO_ARGS="--carbon-traces ../shared/data/carbon/electricitymaps").
DEMO_OUT ?= out/experiment
DEMO_ARGS ?=

.PHONY: all deps build test unit-test fuzz-test demo bench format clean

all: build

deps:
	@scripts/install-deps.sh

# Optimised build of the program and benchmarks (no tests).
build:
	@scripts/install-deps.sh --apt
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release -DGREENROUTE_BUILD_TESTS=OFF
	cmake --build $(BUILD_DIR) -j$(JOBS)

# Every test: unit and integration tests (incl. llama.cpp parity) under
# ASan+UBSan, then the libFuzzer targets: the GGUF reader for FUZZ_SECONDS and
# the OpenAI request parser for GREENROUTE_OPENAI_FUZZ_SECONDS (30 s, CMake cache).
test: deps unit-test fuzz-test

unit-test:
	cmake -S . -B $(TEST_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGREENROUTE_SANITIZE=ON \
	  -DGREENROUTE_BUILD_BENCH=OFF -DGREENROUTE_WERROR=ON
	cmake --build $(TEST_DIR) -j$(JOBS)
	ctest --test-dir $(TEST_DIR) --output-on-failure -j$(JOBS)

fuzz-test:
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DGREENROUTE_FUZZ=ON -DGREENROUTE_BUILD_TESTS=OFF -DGREENROUTE_BUILD_BENCH=OFF \
	  -DGREENROUTE_FUZZ_SECONDS=$(FUZZ_SECONDS)
	cmake --build $(FUZZ_DIR) -j$(JOBS)
	ctest --test-dir $(FUZZ_DIR) --output-on-failure

# The main job: the end-to-end experiment (docs/experiment.md). It makes a
# synthetic model on first use (kept in MODELS_DIR), benchmarks it, runs a
# live cluster of node agents and a gateway under every policy, simulates the
# reference study's cluster and a large one, and writes the report.
demo: build
	$(BUILD_DIR)/greenroute experiment --out $(DEMO_OUT) --model-cache $(MODELS_DIR) $(DEMO_ARGS)

bench: deps build
	bench/run_bench.sh $(BUILD_DIR)

format:
	clang-format -i $$(git ls-files '*.h' '*.cc')

clean:
	rm -rf $(BUILD_DIR) $(TEST_DIR) $(FUZZ_DIR)
