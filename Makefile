# Newsflow. `make run` starts everything embedded on the demo site;
# `make test` tests every module of the workspace.

GO       ?= go
MODULES  := pkg services/fetcher services/parser services/indexer cmd/newsflow
BIN      := bin
DEVSET   ?= $(abspath ../shared/data/articles-benchmark)
METASET  ?= $(abspath ../shared/data/metadata-dev)
FUZZTIME ?= 1m
TEST_FLAGS ?= -count=1 -timeout 20m

.PHONY: run test build bench eval fuzz lint vet compose-up test-chaos test-politeness soak clean

## run: the whole pipeline embedded on the demo site; search stays up until Ctrl-C
run:
	$(GO) run ./cmd/newsflow up --demo --fresh --data .newsflow/demo

## test: every module of the workspace
test:
	@set -e; for m in $(MODULES); do \
		echo "== $$m"; \
		(cd $$m && $(GO) test $(TEST_FLAGS) ./...); \
	done

## build: the three services and the operator's tool into bin/
build:
	@mkdir -p $(BIN)
	$(GO) build -o $(BIN)/fetcher ./services/fetcher
	$(GO) build -o $(BIN)/parser ./services/parser
	$(GO) build -o $(BIN)/indexer ./services/indexer
	$(GO) build -o $(BIN)/newsflow ./cmd/newsflow

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
	cd cmd/newsflow && $(GO) test -run '^$$' -bench Pipeline -benchtime 1x -count 3 -timeout 30m .
	cd services/fetcher && $(GO) test -run '^$$' -bench FetcherThroughput -benchtime 5000x ./service/
	cd services/fetcher && $(GO) test -run '^$$' -bench PeakRSS -benchtime 1x -timeout 30m -v ./service/
	cd services/indexer && $(GO) test -run '^$$' -bench Ingest -benchtime 5000x ./internal/store/

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

## test-politeness: three fetcher processes, one host at 2 requests/s, 200 URLs (about 100 s)
test-politeness:
	cd cmd/newsflow && $(GO) test -count=1 -run TestPolitenessAcrossFetcherProcesses -v . -args -politeness-urls 200 -politeness-rate 2

## soak: the demo crawl in a loop for SOAK (30m) with random stage kills; reports memory, goroutines and open files
SOAK ?= 30m
soak:
	cd cmd/newsflow && $(GO) test -count=1 -timeout 0 -run TestSoak -v . -args -soak $(SOAK)

## compose-up: the full cluster (needs Docker)
compose-up:
	docker compose up --build

clean:
	rm -rf $(BIN) .newsflow
