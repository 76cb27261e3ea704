# Developer entry points. Everything runs from a local virtualenv (.venv) built with
# Python 3.13, the Lambda runtime of template.yaml; it is rebuilt only when a
# requirements file changes (stamp file .venv/.stamp).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PORT ?= 3000
# make run PARAMS="IdentityProvider=oidc OrgName=…": template parameter overrides for the local stack.
PARAMS ?=
STACK ?= oa-system
ORG_FILE ?= infra/demo_org.json
GUIDED ?=

VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.stamp
REQUIREMENTS := requirements-dev.txt $(wildcard layers/*/requirements.txt) $(wildcard functions/*/requirements.txt)
CODE_DIRS := layers functions infra tests
# checkov pins an old boto3 (and packaging), so it lives in a virtualenv of its own.
CHECKOV_VENV := .venv-checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.stamp
# The regions the template must deploy to, judged by cfn-lint before and after the SAM transform.
CFN_REGIONS := us-east-1 cn-north-1 cn-northwest-1
CHECKS_DIR := .aws-sam/checks

export SAM_CLI_TELEMETRY := 0
export AWS_DEFAULT_REGION ?= us-east-1
export PYTHONDONTWRITEBYTECODE := 1

# The first Python 3.13 that really runs: a python3.13 on PATH (a pyenv shim may
# exist and still refuse), else a pyenv install.
find_python313 = for c in python3.13 /root/.pyenv/versions/3.13.*/bin/python3; do \
	if command -v "$$c" >/dev/null 2>&1 && "$$c" -c 'import sys; assert sys.version_info[:2] == (3, 13)' >/dev/null 2>&1; then \
	  echo "$$c"; break; fi; done

.PHONY: help screenshots setup node-deps checkov-setup font-deps browser-deps pdf-deps bench-deps run test test-loaded verify verify-audit lint format typecheck template-check asl-check pytest deploy bench cost seed-org backfill-worklist clean

help:
	@echo "make run            serve the embedded local stack on http://127.0.0.1:$(PORT)"
	@echo "make test           lint, typecheck, template checks and every test"
	@echo "make test-loaded    every test while stress-ng keeps every core busy (installs stress-ng)"
	@echo "make deploy         sam build + sam deploy (guided the first time, or GUIDED=1)"
	@echo "make seed-org       seed a deployed stack's records table from $(ORG_FILE)"
	@echo "make screenshots    refresh docs/screenshots/ (the browser tests whose pictures docs/ shows)"
	@echo "make backfill-worklist  put a deployed stack's older records into 已办/办结 (once; safe to repeat)"
	@echo "make bench          run the benchmark against the local stack (bench-results.md, .json)"
	@echo "make cost           monthly cost estimate for us-east-1 and cn-north-1 from make bench's counts"
	@echo "make verify FILE=f  check an archive package: intact, and who signed it"
	@echo "make verify-audit EXPORT=f ANCHORS=d  check an audit export and its anchors: nothing deleted, altered, cut"
	@echo "make font-deps      apt-get install fonts-noto-cjk when missing (the PDF's fonts)"
	@echo "make browser-deps   apt-get install chromium and fonts-noto-cjk when missing (browser tests)"
	@echo "make pdf-deps       apt-get install poppler-utils when missing (pdftotext/pdfinfo judge the issued PDFs)"
	@echo "make bench-deps     apt-get install libreoffice-writer-nogui when missing (make bench times 印制 against it)"
	@echo "make asl-check      the state machines, filled in for aws and aws-cn, judged by asl-validator"
	@echo "make clean          remove the virtualenv and build output"

setup: $(STAMP)

$(STAMP): $(REQUIREMENTS)
	@py="$$($(find_python313))"; \
	if [ -z "$$py" ]; then \
	  echo "error: Python 3.13 not found (tried python3.13 on PATH and /root/.pyenv/versions/3.13.*)." >&2; \
	  echo "       Install Python 3.13 (e.g. 'pyenv install 3.13') and retry." >&2; exit 1; fi; \
	if [ ! -x "$(PY)" ] || ! "$(PY)" -c 'import sys; assert sys.version_info[:2] == (3, 13)' 2>/dev/null; then \
	  rm -rf "$(VENV)"; echo "creating $(VENV) with $$py"; "$$py" -m venv "$(VENV)"; fi
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt \
	  $(foreach r,$(wildcard functions/*/requirements.txt),-r $(r)) \
	  2> >(grep -v "WARNING: Location" >&2)
	@touch $(STAMP)

checkov-setup: $(CHECKOV_STAMP)

$(CHECKOV_STAMP): requirements-checkov.txt
	@py="$$($(find_python313))"; \
	if [ -z "$$py" ]; then echo "error: Python 3.13 not found (see make setup)" >&2; exit 1; fi; \
	if [ ! -x "$(CHECKOV_VENV)/bin/python" ]; then echo "creating $(CHECKOV_VENV) with $$py"; "$$py" -m venv "$(CHECKOV_VENV)"; fi
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-checkov.txt \
	  2> >(grep -v "WARNING: Location" >&2)
	@touch $(CHECKOV_STAMP)

# System packages, installed only when missing (apt-get update only when a package has no
# install candidate, or the install fails on stale lists):
# - fonts-noto-cjk, fonts-lxgw-wenkai (楷体): the CJK faces the GB/T 9704 PDF embeds (layers/fonts, built by sam build and by
#   the local stack) and that Chinese pages need in the browser tests;
# - chromium: the browser tests drive Debian's Chromium (/usr/bin/chromium) through Playwright,
#   which cannot download its own browser here.
FONT_PACKAGES := fonts-noto-cjk fonts-lxgw-wenkai
BROWSER_PACKAGES := chromium chromium-l10n $(FONT_PACKAGES)
# - poppler-utils: pdftotext and pdfinfo, a PDF reader we did not write, judge the issued PDF's 附件 pages.
PDF_TEST_PACKAGES := poppler-utils

apt_install = missing=""; for p in $(1); do \
	  dpkg -s "$$p" 2>/dev/null | grep '^Status: install ok installed' >/dev/null || missing="$$missing $$p"; done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if ! command -v apt-get >/dev/null 2>&1; then \
	  echo "warning: needs$$missing; no apt-get here, install them yourself" >&2; \
	  exit 0; fi; \
	sudo=""; if [ "$$(id -u)" -ne 0 ]; then \
	  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else \
	    echo "error: needs$$missing: run 'make $@' as root (no sudo here)" >&2; exit 1; fi; fi; \
	install="$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends$$missing"; \
	for p in $$missing; do \
	  if ! apt-cache policy "$$p" 2>/dev/null | grep 'Candidate: [^(]' >/dev/null; then $$sudo apt-get update; break; fi; done; \
	echo "installing$$missing"; \
	$$install || { $$sudo apt-get update && $$install; }

font-deps:
	@$(call apt_install,$(FONT_PACKAGES))

browser-deps:
	@$(call apt_install,$(BROWSER_PACKAGES))

pdf-deps:
	@$(call apt_install,$(PDF_TEST_PACKAGES))

# PARAMS reaches the stack through the environment, unquoted by any shell: a value may hold spaces
# in quotes (PARAMS='OrgName="示例市 教育局"'), as sam deploy --parameter-overrides reads it.
run: export OA_LOCAL_PARAMS = $(PARAMS)
run: setup font-deps
	PORT=$(PORT) $(PY) -m infra.local --port $(PORT)

test: setup lint typecheck template-check asl-check pytest

# The browser tests whose screenshots docs/ shows write them into docs/screenshots/ only here
# (OA_DOCS_SCREENSHOTS=1); every other run leaves them in test-artifacts/screenshots/.
SCREENSHOT_TESTS := tests/e2e/test_browser_days.py tests/e2e/test_browser_approval_sheet.py
screenshots: setup browser-deps
	OA_DOCS_SCREENSHOTS=1 $(PY) -m pytest -n 1 -q $(SCREENSHOT_TESTS)

# Tests run in PYTEST_WORKERS pytest-xdist workers (auto: one a core, at most PYTEST_MAX_WORKERS;
# 0: in this process), a module's tests on one worker (tests/conftest.py); the ten slowest are
# listed at the end. Waits are sized for a loaded two-core machine; OA_TEST_TIME_SCALE=3 (say)
# allows a slower one. See docs/testing.md, "Tests on a busy machine".
PYTEST_WORKERS ?= auto
PYTEST_MAX_WORKERS ?= 4
TEST_DIRS = $(wildcard tests/unit tests/integration tests/e2e)
run_pytest = rc=0; $(PY) -m pytest -n $(PYTEST_WORKERS) --maxprocesses $(PYTEST_MAX_WORKERS) --dist loadfile \
	  --durations=10 $(TEST_DIRS) || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest: no tests collected"; rc=0; fi; exit $$rc

pytest: setup browser-deps pdf-deps node-deps
	@$(run_pytest)

# The same tests while stress-ng keeps STRESS_CPUS cores busy (default: all of them), as CI's
# machine may be: every wait must still end by its deadline.
STRESS_CPUS ?= $(shell nproc 2>/dev/null || echo 2)

test-loaded: setup browser-deps pdf-deps node-deps
	@$(call apt_install,stress-ng)
	@command -v stress-ng >/dev/null || { echo "error: stress-ng is not installed" >&2; exit 1; }; \
	stress-ng --cpu $(STRESS_CPUS) --quiet & load=$$!; \
	trap 'kill $$load 2>/dev/null || true; wait $$load 2>/dev/null || true' EXIT; \
	echo "stress-ng --cpu $(STRESS_CPUS) keeps the machine busy (pid $$load)"; \
	$(run_pytest)

lint: setup
	$(BIN)/ruff check $(CODE_DIRS)
	$(BIN)/ruff format --check $(CODE_DIRS)
	PYTHONPATH=layers/oa_core:. $(BIN)/lint-imports --no-cache

format: setup
	$(BIN)/ruff check --fix $(CODE_DIRS)
	$(BIN)/ruff format $(CODE_DIRS)

typecheck: setup
	$(BIN)/mypy layers/oa_core/oa_core $(wildcard functions) infra $(wildcard tests)

# cfn-lint judges template.yaml (SAM's schema) and, per region, what the SAM transform makes of it
# (infra/checks/transform.py, offline); checkov judges the transformed template (.checkov.yaml, skips in
# docs/deploy.md). Every region is linted before the target fails. sam build runs pip from the first
# python3.13 on PATH: the venv's one.
template-check: setup checkov-setup font-deps
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/sam validate --lint
	@rc=0; \
	echo "cfn-lint template.yaml --regions $(CFN_REGIONS)"; \
	$(BIN)/cfn-lint --regions $(CFN_REGIONS) -- template.yaml || rc=1; \
	for region in $(CFN_REGIONS); do \
	  out="$(CHECKS_DIR)/template.$$region.json"; \
	  $(PY) -m infra.checks.transform --region "$$region" --output "$$out" || { rc=1; continue; }; \
	  echo "cfn-lint $$out --regions $$region"; \
	  $(BIN)/cfn-lint --regions "$$region" -- "$$out" || rc=1; \
	done; \
	$(PY) -m infra.checks.transform --region us-east-1 --keep-metadata --output $(CHECKS_DIR)/checkov.json || rc=1; \
	echo "checkov $(CHECKS_DIR)/checkov.json"; \
	$(CHECKOV_VENV)/bin/checkov --config-file .checkov.yaml -f $(CHECKS_DIR)/checkov.json || rc=1; \
	exit $$rc
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/sam build

# The Node tools of the checks (package.json, pinned by package-lock.json): asl-validator, an
# Amazon States Language validator that is not moto. npm ci installs exactly the lock file's tree,
# again only when either file changes (stamp node_modules/.stamp); npm comes from apt when missing.
NODE_STAMP := node_modules/.stamp

node-deps: $(NODE_STAMP)

$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { $(call apt_install,nodejs npm); }
	npm ci --no-audit --no-fund
	@touch $(NODE_STAMP)

# Every state machine of template.yaml with its DefinitionSubstitutions filled for aws/us-east-1
# and aws-cn/cn-north-1 (infra/checks/asl.py); tests/unit/infra/test_asl_check.py runs it too.
asl-check: setup node-deps
	$(PY) -m infra.checks.asl

deploy: setup font-deps
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/sam build
	@if [ -f .aws-sam/deployed ] && [ -z "$(GUIDED)" ]; then \
	  PATH="$(abspath $(BIN)):$$PATH" $(BIN)/sam deploy; \
	else \
	  PATH="$(abspath $(BIN)):$$PATH" $(BIN)/sam deploy --guided && touch .aws-sam/deployed; \
	fi

verify: setup
	@test -n "$(FILE)" || { echo "usage: make verify FILE=archive-package.zip" >&2; exit 2; }
	$(PY) -m infra.ops.verify "$(FILE)"

# The audit trail, offline: EXPORT=audit.jsonl (GET /api/audit/export?format=jsonl), ANCHORS=dir of the
# audit-anchors/ objects; PUBLIC_KEY=pem pins the anchor key; PARTIAL=1 for an export of a time range.
verify-audit: setup
	@test -n "$(EXPORT)" || { echo "usage: make verify-audit EXPORT=audit.jsonl [ANCHORS=dir] [PUBLIC_KEY=key.pem] [PARTIAL=1]" >&2; exit 2; }
	$(PY) -m infra.ops.verify_audit "$(EXPORT)" $(ANCHORS) $(if $(PUBLIC_KEY),--public-key "$(PUBLIC_KEY)") $(if $(PARTIAL),--partial)

# - libreoffice-writer-nogui: LibreOffice headless, what `make bench` times the typesetter against (never make test).
BENCH_PACKAGES := libreoffice-writer-nogui

bench-deps:
	@$(call apt_install,$(BENCH_PACKAGES))

bench: setup font-deps bench-deps
	$(PY) -m infra.bench

# The counts of `make bench` (COUNTS=docs/bench/counts.json: the ones docs/deploy.md was computed from)
# priced for a unit of 500 staff; also written to cost-estimate.md.
COUNTS ?= bench-results.json

cost: setup
	$(PY) -m infra.bench.cost --counts $(COUNTS) --output cost-estimate.md

seed-org: setup
	$(PY) -m infra.ops.seed_org --stack $(STACK) --file $(ORG_FILE)

backfill-worklist: setup
	$(PY) -m infra.ops.backfill_worklist --stack $(STACK)

clean:
	rm -rf $(VENV) $(CHECKOV_VENV) .aws-sam .mypy_cache .ruff_cache .pytest_cache node_modules
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
