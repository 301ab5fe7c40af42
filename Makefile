# Storefront: the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

STORES := $(CURDIR)/server/dev/stores
SERVER := $(CURDIR)/server/dev/server
SPLIT := $(CURDIR)/server/dev/split
MARKETPLACE := $(CURDIR)/server/.build/debug/marketplace
STOREFRONT := $(CURDIR)/.build/debug/storefront
DATA := $(CURDIR)/server/.data
PORT := $${STOREFRONT_PORT:-8080}
WITH_STORES := eval "$$($(STORES) env)" &&

.PHONY: help deps stores build build-client migrate seed run serve up down up-split down-split test fuzz bench clean-data

help:
	@echo "make run    install what is missing, start the stores, migrate, seed, serve, open the terminal shop (also: ssh -p 2222 localhost)"
	@echo "make test   install what is missing, start the stores, run every test"
	@echo "make up     stores and server in the background;  make down  stops them;  make serve  server in the foreground"
	@echo "make up-split  every service its own process behind nginx on :8080;  make down-split  stops them"
	@echo "make fuzz   a long Schemathesis run of a private server against server/openapi.yaml"
	@echo "make bench  release build, every load scenario beside its reference; writes docs/PERFORMANCE.md"

deps:
	@server/dev/deps

stores: deps
	@$(STORES) up >/dev/null

build: deps
	cd server && swift build

build-client: deps
	swift build --product storefront

migrate: stores build
	@$(WITH_STORES) $(MARKETPLACE) migrate

# A demo catalog and demo accounts, once per checkout (server/.data/seeded marks it).
# The vendors share one generated password, the admin has its own.
seed: migrate
	@if [ ! -f $(DATA)/seeded ]; then \
	    [ -s $(DATA)/demo-password ] || (umask 077; head -c 12 /dev/urandom | base64 | tr -d '/+=' > $(DATA)/demo-password); \
	    [ -s $(DATA)/demo-admin-password ] || (umask 077; head -c 12 /dev/urandom | base64 | tr -d '/+=' > $(DATA)/demo-admin-password); \
	    $(WITH_STORES) export STOREFRONT_SEED_PASSWORD=$$(cat $(DATA)/demo-password) && \
	    $(MARKETPLACE) seed --products 200 && \
	    ($(MARKETPLACE) admin create --email admin@storefront.local --name "Demo Admin" < $(DATA)/demo-admin-password || true) && \
	    touch $(DATA)/seeded; \
	fi

# The shop: server in the background, the terminal client in front; quitting the client stops the server.
run: seed build-client
	@$(SERVER) start
	@echo "Demo accounts: the six vendors (atelier.helene@vendors.storefront.test, cafe.nunez@..., bjork.outdoor@..., osaka.electronics@..., libreria.zoe@..., smorrebrod@...; password in server/.data/demo-password) and admin@storefront.local (password in server/.data/demo-admin-password)"
	@if [ -f $(DATA)/ssh_host_ed25519_key ]; then \
	    echo "Over SSH, from any terminal while this runs: ssh -p $${STOREFRONT_SSH_PORT:-2222} localhost (host key $$(ssh-keygen -l -f $(DATA)/ssh_host_ed25519_key | cut -d' ' -f2))"; \
	fi
	@trap '$(SERVER) stop' EXIT; $(STOREFRONT) --server http://127.0.0.1:$(PORT)

# The server alone, in the foreground.
serve: seed
	@$(WITH_STORES) STOREFRONT_DATA_DIR=$${STOREFRONT_DATA_DIR:-$(DATA)} exec $(MARKETPLACE) serve

up: seed
	@$(SERVER) start

down:
	@$(SPLIT) down 2>/dev/null || true
	@$(SERVER) stop
	@$(STORES) down

# The split form: eight service processes on 8081-8088 behind a private nginx on 8080,
# the SSH door (the ssh service) on 2222.
up-split: seed
	@$(SERVER) stop
	@$(SPLIT) up
	@$(SPLIT) status

down-split:
	@$(SPLIT) down

# The server is built first: the client's terminal tests drive the real server binary.
# The end-to-end suites start whole deployments (the real server, seven service
# processes behind nginx) and run apart from the rest, so two cores are not
# asked to serve hundreds of shoppers' sign-ups twice over at once.
# The store-restart suite restarts stores of its own in the middle of a stream
# of checkouts and measures how long each answer takes, so it runs last and alone.
# Then a bounded fuzzing pass of the live server against server/openapi.yaml,
# all in one process and split behind the nginx gateway.
E2E := CheckoutTests|CheckoutFaultTests|CancellationTests|CancellationFaultTests|NginxGatewayTests|InputIntegrityTests|BoundsTests|PaymentOwnershipTests|OneAnswerPerScreenTests|RateLimitIdentityTests
ALONE := StoreRestartTests
# Suites that start and restart whole servers (HTTPS with three certificates, a
# private TLS PostgreSQL, key rotation across restarts and a split deployment,
# the door's floods, whose sign-in latencies are measured and must not queue
# behind thirty other suites' hashes):
# after the end-to-end suites, before the store restarts, apart from both.
OPERATIONS := TLSTests|TokenRotationServerTests|TracingTests|TheDoorTests
# The client suites that time pages under load (twenty kiosk sessions, twenty
# sessions through the marketplace's SSH door, a slow link) run after the other
# client suites, each on its own. The SSH door's other tests (MarketplaceSSHTests)
# run with the client suites.
CLIENT_ALONE := ManyShoppersTerminalTests|ManySSHShoppersTests
test: stores
	cd server && swift build --build-tests
	$(WITH_STORES) swift test --skip '$(CLIENT_ALONE)'
	$(WITH_STORES) swift test --filter ManyShoppersTerminalTests
	$(WITH_STORES) swift test --filter ManySSHShoppersTests
	cd server && $(WITH_STORES) swift test --skip '$(E2E)|$(OPERATIONS)|$(ALONE)'
	cd server && $(WITH_STORES) swift test --filter '$(E2E)'
	cd server && $(WITH_STORES) swift test --filter '$(OPERATIONS)'
	cd server && $(WITH_STORES) swift test --filter '$(ALONE)'
	server/dev/fuzz --examples 20 --time-limit 240
	server/dev/fuzz --split --examples 10 --time-limit 300
	@if [ "$${CI:-}" = "true" ]; then $(STORES) down; fi

# Schemathesis against the live server as a shopper, a vendor and an admin, on
# databases of its own (suffix _fuzz): FUZZ_EXAMPLES cases per operation and
# phase, stopped after FUZZ_TIME_LIMIT seconds at most. See server/dev/fuzz.
FUZZ_EXAMPLES ?= 500
FUZZ_TIME_LIMIT ?= 3600
fuzz: stores build
	server/dev/fuzz --examples $(FUZZ_EXAMPLES) --time-limit $(FUZZ_TIME_LIMIT)
	server/dev/fuzz --split --examples $(FUZZ_EXAMPLES) --time-limit $(FUZZ_TIME_LIMIT)

# Performance against this machine's limits: every scenario beside a reference
# measured in the same run (bare route, nginx, the store, pgbench), as ratios with
# their targets, printed and written into docs/PERFORMANCE.md. Apart from `make test`.
bench: stores
	server/bench/make-bench

clean-data: down
	rm -rf server/.data
