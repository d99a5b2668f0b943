# omemu — make targets. `make test` and `make bench` work on a fresh clone:
# both install the locked dependencies first when node_modules is missing or
# older than the lock file.
SHELL := /bin/bash
NODE ?= node
TSX := $(NODE) --import tsx
STAMP := node_modules/.omemu-installed

.PHONY: help test typecheck unit bench bench-quick bench-micro clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 16

$(STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

test: $(STAMP) typecheck unit ## type-check and run every uvu suite under tests/

typecheck: $(STAMP) ## tsc --noEmit over the whole tree
	npx tsc --noEmit -p .

unit: $(STAMP) ## the uvu suites only
	$(TSX) node_modules/uvu/bin.js tests '\.test\.ts$$'

bench: $(STAMP) ## for now: micro-benchmarks and the 575 MiB freeze of each policy (the paper reproduction comes with its issue)
	$(TSX) userland/bench/micro.ts
	$(TSX) userland/cli/omemu.js run --kernel seqtouch --mib 575 --passes 0 --scheme all

bench-micro: $(STAMP) ## micro-benchmarks: MMU hot path and fault rates
	$(TSX) userland/bench/micro.ts

clean: ## remove generated output
	rm -rf bench-out
