# omemu — make targets. `make test` and `make bench` work on a fresh clone:
# both install the locked dependencies first when node_modules is missing or
# older than the lock file, then compile the sources into dist/ when a source
# is newer than the build (userland/compile.js; about a second). The bench
# and the omemu command run the compiled JavaScript; the tests run the
# TypeScript sources through tsx.
SHELL := /bin/bash
NODE ?= node
TSX := $(NODE) --import tsx
STAMP := node_modules/.omemu-installed
DIST := dist/userland

PHONY_BENCH := bench bench-full bench-quick bench-merge bench-quick-merge
.PHONY: help build test typecheck unit fuzz chaos $(PHONY_BENCH) bench-micro bench-preempt sweep-scale profile test-slurm test-browser docs docs-figures clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 16

$(STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

build: $(STAMP) ## compile the TypeScript sources into dist/ (when one is newer than the build)
	@$(NODE) userland/compile.js --if-stale

test: $(STAMP) typecheck unit ## type-check and run every uvu suite under tests/

typecheck: $(STAMP) ## tsc --noEmit over the whole tree
	npx tsc --noEmit -p .

# T=pattern runs the suites whose file names match it (a regular expression
# over the path under tests/, e.g. T=trace or T=om/model). FC_SEED and
# FC_NUM_RUNS (tests/helpers/prop.ts) set the properties' seed and runs.
unit: $(STAMP) build ## the uvu suites only (T=pattern: those whose file names match; FC_SEED=N FC_NUM_RUNS=X for the properties)
	$(FC_ENV) $(TSX) node_modules/uvu/bin.js tests '$(T)[^/]*\.test\.ts$$'

# FC_SEED and FC_NUM_RUNS reach the tests from the make command line too.
FC_ENV := $(if $(FC_SEED),FC_SEED=$(FC_SEED)) $(if $(FC_NUM_RUNS),FC_NUM_RUNS=$(FC_NUM_RUNS))

FUZZ_SECONDS ?= 120
# A fuzzing session draws a fresh seed (printed) unless FC_SEED (or its old
# name FUZZ_SEED) is given; FUZZ_PATH and FUZZ_REPLAY replay a failure.
FUZZ_SEED_OF := $(or $(FC_SEED),$(FUZZ_SEED))
fuzz: $(STAMP) ## the model-based migration/fault property for FUZZ_SECONDS (default 120); FC_SEED, FUZZ_PATH, FUZZ_REPLAY replay a failure
	FC_SEED=$(if $(FUZZ_SEED_OF),$(FUZZ_SEED_OF),$$(( (RANDOM << 16 | RANDOM) & 0x7fffffff ))) $(if $(FC_NUM_RUNS),FC_NUM_RUNS=$(FC_NUM_RUNS)) OMEMU_FUZZ_SECONDS=$(FUZZ_SECONDS) $(if $(FUZZ_PATH),OMEMU_FUZZ_PATH=$(FUZZ_PATH)) $(if $(FUZZ_REPLAY),OMEMU_FUZZ_REPLAY=$(FUZZ_REPLAY)) $(TSX) node_modules/uvu/bin.js tests/om 'model\.test\.ts$$'

CHAOS_RUNS ?= 200
chaos: $(STAMP) build ## omemu chaos --runs CHAOS_RUNS (default 200): random crash/partition/abort plans, nothing may be lost
	$(NODE) userland/cli/omemu.js chaos --runs $(CHAOS_RUNS)

# SHARD=I/N runs shard I of N of the plan (its records go to bench-out/runs-full/
# or runs-quick/); the *-merge targets then render bench-out/ from all the shards
# (FROM="dir ..." names other directories of shard records, e.g. copied from other machines).
SHARD_FLAG := $(if $(SHARD),--shard $(SHARD))
FROM_DIRS := $(if $(FROM),$(FROM))

bench: $(STAMP) build ## Table 1 and Figures 5-11 at the paper's sizes, and every scheme at the largest sizes, into bench-out/ (resumes; SHARD=I/N runs a part)
	$(NODE) $(DIST)/bench/main.js --out bench-out $(SHARD_FLAG)

bench-full: $(STAMP) build ## make bench, the ablation of the model's changes, the other networks at the largest sizes and the paper's question for 64-512 MiB processes
	$(NODE) $(DIST)/bench/main.js --full --out bench-out $(SHARD_FLAG)

bench-quick: $(STAMP) build ## the same experiments at 1/8 of the sizes (development; targets only indicative)
	$(NODE) $(DIST)/bench/main.js --quick --out bench-out $(SHARD_FLAG)

bench-merge: $(STAMP) build ## render bench-out/ from the records of every SHARD of `make bench` (FROM="dirs" to merge others)
	$(NODE) $(DIST)/bench/main.js --out bench-out --merge $(FROM_DIRS)

bench-quick-merge: $(STAMP) build ## the same for the shards of `make bench-quick`
	$(NODE) $(DIST)/bench/main.js --quick --out bench-out --merge $(FROM_DIRS)

bench-micro: $(STAMP) build ## micro-benchmarks: start-up, MMU hot path, fault rates, AMPoM analysis, 575 MiB STREAM/DGEMM speed and RSS (ONLY="startup tcp ..." for some)
	$(NODE) $(DIST)/bench/micro.js $(ONLY)

sweep-scale: $(STAMP) build ## (one-off: ~10 CPU-minutes and the kills' waits) ~10,000 small runs in 2 shards killed and resumed, merged, sampled against an unsharded run; runs a second a core (OUT=dir keeps it)
	bash slurm/sweep-scale.sh

bench-preempt: $(STAMP) build ## ampom-push and post-copy with and without demand first (--preempt): demand-fault latency p50/p99 over an idle link's, runtime (KERNELS=stream,... for some)
	$(NODE) $(DIST)/bench/preempt.js $(KERNELS)

# CPU and heap profiles (node --cpu-prof, --heap-prof) of omemu's start-up, a
# small run and the heaviest bench runs, into profile-out/, with the top
# entries of each printed (userland/bench/profile.ts says which runs).
profile: $(STAMP) build ## CPU and heap profiles of start-up and the heaviest bench runs, top entries printed (into profile-out/)
	$(NODE) $(DIST)/bench/profile.js --out profile-out

test-slurm: $(STAMP) ## (root; not part of `make test`) a one-node Slurm on this machine runs a sweep as a 4-task array; merged must equal unsharded
	bash slurm/test-slurm.sh

# PAGE=dir checks another folder's index.html (a small one is rendered there when it has none).
test-browser: $(STAMP) build ## (root; not part of `make test`) bench-out/index.html in Debian's chromium (installed when missing): every image loads, every table has rows, no console errors
	bash tests/browser/test-browser.sh

docs: $(STAMP) build ## regenerate docs/cli.md and every generated block of README.md and docs/ (from the code, docs/data/ and quick commands)
	$(NODE) $(DIST)/docs/main.js

docs-figures: $(STAMP) build ## after `make bench` (or bench-full): copy its figures into docs/img/ and its results into docs/data/, then `make docs`
	$(NODE) $(DIST)/docs/main.js --from-bench bench-out

clean: ## remove generated output and the build
	rm -rf bench-out profile-out dist
