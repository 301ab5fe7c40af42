# Storefront: the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

STORES := $(CURDIR)/server/dev/stores
SERVER := $(CURDIR)/server/dev/server
MARKETPLACE := $(CURDIR)/server/.build/debug/marketplace
WITH_STORES := eval "$$($(STORES) env)" &&

.PHONY: help deps stores build migrate seed run up down test test-client test-server clean-data

help:
	@echo "make run    install what is missing, start the stores, migrate, seed, serve"
	@echo "make test   install what is missing, start the stores, run every test"
	@echo "make up     stores and server in the background;  make down  stops them"

deps:
	@server/dev/deps

stores: deps
	@$(STORES) up >/dev/null

build: deps
	cd server && swift build

migrate: stores build
	@$(WITH_STORES) $(MARKETPLACE) migrate

run: migrate
	@echo "Starting the marketplace on http://127.0.0.1:$${STOREFRONT_PORT:-8080} (Ctrl-C stops it)"
	@$(WITH_STORES) exec $(MARKETPLACE) serve

up: migrate
	@$(SERVER) start

down:
	@$(SERVER) stop
	@$(STORES) down

test: stores
	swift test
	cd server && $(WITH_STORES) swift test
	@if [ "$${CI:-}" = "true" ]; then $(STORES) down; fi

clean-data: down
	rm -rf server/.data
