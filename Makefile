# Newsflow. `make run` starts everything embedded on the demo site;
# `make test` tests every module of the workspace.

GO       ?= go
MODULES  := pkg services/fetcher services/parser services/indexer cmd/newsflow
BIN      := bin
DEVSET   ?= $(abspath ../shared/data/articles-benchmark)
METASET  ?= $(abspath ../shared/data/metadata-dev)
FUZZTIME ?= 1m
TEST_FLAGS ?= -count=1 -timeout 20m
# VERSION is what `newsflow version`, every binary's -version and the
# newsflow_build_info metric report: the nearest tag, else the commit.
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)
LDFLAGS  := -X github.com/newsflow/newsflow/pkg/buildinfo.Version=$(VERSION)
BENCH_DIR ?= $(abspath ../shared/bench)
REPS     ?= 3
N        ?= 3000

.PHONY: run test test-modules test-nats-server build bench bench-baseline eval fuzz lint vet compose-up test-chaos test-hostile test-politeness soak clean

## run: the whole pipeline embedded on the demo site; search stays up until Ctrl-C
run:
	@echo "building bin/newsflow (the first build fetches modules and compiles: a minute or two)..."
	@mkdir -p $(BIN) && $(GO) build -ldflags '$(LDFLAGS)' -o $(BIN)/newsflow ./cmd/newsflow
	$(BIN)/newsflow up --demo --fresh --data .newsflow/demo

## test: every module of the workspace, with PostgreSQL and Chromium set up first (scripts/testenv)
test:
	@scripts/testenv $(MAKE) --no-print-directory test-modules

## test-modules: every module's tests, with what they need already running
test-modules:
	@set -e; for m in $(MODULES); do \
		echo "== $$m"; \
		(cd $$m && $(GO) test $(TEST_FLAGS) ./...); \
	done
	@$(MAKE) --no-print-directory test-nats-server

## build: the three services and the operator's tool into bin/
build:
	@mkdir -p $(BIN)
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BIN)/fetcher ./services/fetcher
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BIN)/parser ./services/parser
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BIN)/indexer ./services/indexer
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BIN)/newsflow ./cmd/newsflow

## vet / lint: go vet and gofmt over every module
vet:
	@set -e; for m in $(MODULES); do (cd $$m && $(GO) vet ./...); done
lint: vet
	@out=$$(gofmt -l $(MODULES)); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

## eval: score the extractor: bodies on DEVSET (articles-benchmark), title, authors,
##       date and page type on METASET (metadata-dev); both default to ../shared/data/
eval:
	@missing=0; \
	if [ ! -f "$(DEVSET)/ground-truth.json" ]; then echo "make eval: articles benchmark not found at $(DEVSET); point DEVSET at it: make eval DEVSET=/path/to/articles-benchmark"; missing=1; fi; \
	if [ ! -f "$(METASET)/truth.jsonl" ]; then echo "make eval: metadata set not found at $(METASET); point METASET at it: make eval METASET=/path/to/metadata-dev"; missing=1; fi; \
	if [ $$missing = 1 ]; then exit 1; fi
	$(GO) run ./cmd/newsflow eval --data $(DEVSET) --meta $(METASET)

## bench: extractor vs html.Parse (one core), pipeline over JetStream vs in-process,
##        fetcher throughput and peak RSS over 100,000 URLs, indexer ingest
bench:
	@if [ ! -d "$(DEVSET)" ]; then echo "note: development set not found at $(DEVSET): the extractor benchmark skips; run make bench DEVSET=/path/to/articles-benchmark"; fi
	cd pkg && NEWSFLOW_DEVSET=$(DEVSET) $(GO) test -run '^$$' -bench 'ExtractVsParse' -benchtime 3x -count 5 -cpu 1 ./extract/
	cd services/parser && NEWSFLOW_DEVSET=$(DEVSET) $(GO) test -run '^$$' -bench Handle -benchtime 3x -count 3 -cpu 1 ./internal/parse/
	cd cmd/newsflow && $(GO) test -run '^$$' -bench Pipeline -benchtime 1x -count 3 -timeout 30m .
	cd services/fetcher && $(GO) test -run '^$$' -bench FetcherThroughput -benchtime 5000x ./service/
	cd services/fetcher && $(GO) test -run '^$$' -bench PeakRSS -benchtime 1x -timeout 30m -v ./service/
	cd services/indexer && $(GO) test -run '^$$' -bench Ingest -benchtime 5000x ./internal/store/

## bench-baseline: the pipeline against the one-process script a user could write
## (BENCH_DIR/run.sh, issue 13): REPS interleaved reps of N URLs, then the median ratio of pages/s
bench-baseline:
	@if [ ! -f "$(BENCH_DIR)/run.sh" ]; then echo "make bench-baseline: no run.sh in $(BENCH_DIR); point BENCH_DIR at the shared bench folder: make bench-baseline BENCH_DIR=/path/to/shared/bench"; exit 1; fi
	@out=$$(mktemp); REPS=$(REPS) N=$(N) bash "$(BENCH_DIR)/run.sh" | tee $$out; \
	if ! grep -q '^ratio' $$out; then rm -f $$out; echo "make bench-baseline: run.sh printed no ratio (see its output above)"; exit 1; fi; rm -f $$out

## fuzz: every fuzz target for FUZZTIME (default 1m) each
fuzz:
	@set -e; for m in $(MODULES); do \
		for pkg in $$(cd $$m && $(GO) list ./...); do \
			for f in $$(cd $$m && $(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
				echo "== $$pkg $$f"; \
				(cd $$m && $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg); \
			done; \
		done; \
	done

## test-chaos: the full fault-injection suite over 2,000 articles; appends its rows to RELIABILITY.rows.md
RUN ?= TestChaos
test-chaos:
	cd cmd/newsflow && $(GO) test -count=1 -timeout 60m -run '$(RUN)' -v . -args -chaos -chaos-report $(CURDIR)/RELIABILITY.rows.md

## test-hostile: every attack of the hostile-page suite (pkg/hostilesite: bombs behind every status,
##               slowloris, deep XML, recursive sitemaps, huge pages, the guard...) through the real
##               binaries on SQLite and PostgreSQL, about 5 minutes; writes its table into RELIABILITY.md.
##               make test runs the fast attacks. PostgreSQL: NEWSFLOW_TEST_POSTGRES, else 127.0.0.1:5432/test
test-hostile:
	cd cmd/newsflow && $(GO) test -count=1 -timeout 30m -run '^TestHostilePages$$' -parallel 8 -v . -args -hostile -hostile-report $(CURDIR)/RELIABILITY.md

## test-nats-server: the bus, stage host and service suites again against an installed
##        nats-server binary (NATS_SERVER, default: the one on PATH or /usr/sbin), e.g.
##        Debian's 2.9; skipped when there is none
NATS_SERVER ?= $(firstword $(shell command -v nats-server 2>/dev/null) $(wildcard /usr/sbin/nats-server))
test-nats-server:
	@if [ -z "$(NATS_SERVER)" ]; then echo "== no nats-server binary: the suites against it are skipped"; exit 0; fi; \
	set -e; echo "== pkg/bus, pkg/stagehost and services/*/service against $(NATS_SERVER) ($$($(NATS_SERVER) --version))"; \
	export NEWSFLOW_TEST_NATS_SERVER=$(NATS_SERVER); \
	(cd pkg && $(GO) test $(TEST_FLAGS) ./bus/... ./stagehost/...); \
	for m in fetcher parser indexer; do (cd services/$$m && $(GO) test $(TEST_FLAGS) ./service/...); done

## test-politeness: three fetcher processes, one host at 2 requests/s, 200 URLs (about 100 s)
test-politeness:
	cd cmd/newsflow && $(GO) test -count=1 -run TestPolitenessAcrossFetcherProcesses -v . -args -politeness-urls 200 -politeness-rate 2

## soak: the demo crawl in a loop for SOAK (30m) with random stage kills; reports memory, goroutines and open files
SOAK ?= 30m
soak:
	cd cmd/newsflow && $(GO) test -count=1 -timeout 0 -run TestSoak -v . -args -soak $(SOAK)

## compose-up: the full cluster (needs Docker)
compose-up:
	docker compose build --build-arg VERSION=$(VERSION)
	docker compose up

clean:
	rm -rf $(BIN) .newsflow
