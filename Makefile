# Shortcuts for the project's commands; each target runs what the README names.
#   make test   the whole test command, scripts/test.sh (vet, staticcheck, the suite with -race,
#               fuzzing, then real Kafka when Java and Maven exist, in two lanes; ~19 min)
#   make test-quick  the contributors' lane: vet and -race on the embedded broker, no ./interop (~2-3 min)
#   make lint   go vet and staticcheck only (a minute)
#   make bench  the micro-benchmarks of the hot path (go test -bench)
#   make bench-compare  the comparison harness in bench/ (throughput vs sarama, franz-go, goka, watermill)

# The staticcheck version pinned in scripts/test.sh (one place for it).
STATICCHECK_VERSION ?= $(shell sed -n 's/^staticcheck_version=.*:-\(v[0-9.]*\)}$$/\1/p' scripts/test.sh)
BENCH_PACKAGES = ./actors ./params ./producer ./responders

.PHONY: test test-quick lint bench bench-compare

test:
	scripts/test.sh

test-quick:
	scripts/test.sh quick

lint:
	go vet ./...
	go run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) ./...

bench:
	go test -run '^$$' -bench . -benchmem $(BENCH_PACKAGES)

bench-compare:
	cd bench && go run ./cmd/karafka-bench throughput -n 200000 -rounds 3
