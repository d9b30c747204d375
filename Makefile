# Compono — the two commands a new machine needs:
#   make demo   builds everything and runs the demo on embedded defaults
#   make test   builds everything and runs the whole test suite
# Both install the Debian packages they need first (scripts/install-deps.sh).

BUILD      ?= build
JOBS       ?= $(shell nproc)
CMAKE_ARGS ?=
FUZZ_SECONDS ?= 60

.PHONY: all deps build test test-aot-spec demo bench sanitize test-sanitize fuzz clean help

all: build

help:
	@echo "make demo          build and run the demo (sandbox, then the key-value counter app)"
	@echo "make test          build and run every test (unit, CLI, WASI, spec conformance)"
	@echo "make test-aot-spec the spec suite again on native code (every module compiled by cc)"
	@echo "make test-sanitize run the unit tests under AddressSanitizer + UBSan"
	@echo "make fuzz          run each libFuzzer target for FUZZ_SECONDS (default 60)"
	@echo "make bench         run the benchmarks and write bench/RESULTS.md"

deps:
	@./scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCOMPONO_WERROR=ON $(CMAKE_ARGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 900 -LE conformance-aot

# The core spec suite on the native tier (differential with `make test`'s
# interpreter run). Slow: the C compiler builds each of ~6,000 modules.
test-aot-spec: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 1800 -L conformance-aot

demo: build
	@./scripts/demo.sh $(BUILD)

bench: build
	@./bench/run.sh $(BUILD)

sanitize: deps
	@cmake -S . -B build-sanitize -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCOMPONO_SANITIZE=ON -DCOMPONO_WERROR=ON >/dev/null
	@cmake --build build-sanitize -j $(JOBS)

# Unit, WASI and CLI tests under ASan+UBSan (the spec conformance suite runs
# in `make test`; under the sanitizers it would take most of the CI budget).
test-sanitize: sanitize
	@cd build-sanitize && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure -j $(JOBS) --timeout 900 -LE conformance

fuzz: deps
	@cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCOMPONO_FUZZ=ON -DCOMPONO_EXAMPLE_JS=OFF >/dev/null
	@cmake --build build-fuzz -j $(JOBS)
	@./fuzz/run.sh build-fuzz $(FUZZ_SECONDS) $(BUILD)

clean:
	rm -rf $(BUILD) build-sanitize build-fuzz
