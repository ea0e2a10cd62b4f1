# cephkit.cephadm: one entry point for developers and CI.
#
#   make test      every gate: deps, lint, unit, sanity, build, then lab-test
#   make demo      bring the lab up and deploy (defined in lab/lab.mk)
#   make help      list the targets
#
# Each gate is a target of its own, so `make lint-mypy` or `make sanity-2.21`
# runs just that one.  The gates' helpers live in hack/.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))

# Virtual environments: the main one (everything) and one per extra
# ansible-core series that sanity runs against.
VENV := $(ROOT)/.venv
VENV_PYTHON := 3.11
VENV_REQUIREMENTS := requirements/dev.txt
VENV_221 := $(ROOT)/.venv-2.21
VENV_221_PYTHON := 3.12
VENV_221_REQUIREMENTS := requirements/sanity-2.21.txt

VENV_STAMP := $(VENV)/.cephkit-stamp
VENV_221_STAMP := $(VENV_221)/.cephkit-stamp

# Tools run from the main venv.
export PATH := $(VENV)/bin:$(PATH)
export PIP_DISABLE_PIP_VERSION_CHECK := 1
ifdef CI
# plain logs in CI
export ANSIBLE_NOCOLOR := 1
export PY_COLORS := 0
export NO_COLOR := 1
endif

# Debian packages the gates need; lab/lab.mk may add its own with +=.
APT_PACKAGES := git make rsync shellcheck

# Shell scripts linted by shellcheck (ansible-test's sanity checks them too).
SHELL_SCRIPTS = $(shell git ls-files -co --exclude-standard -- '*.sh' '*.bash' | while read -r f; do [ -e "$$f" ] && echo "$$f"; done) .ci/run

LINT_GATES := lint-ruff lint-mypy lint-yaml lint-shell lint-ansible lint-changelog lint-docs
SANITY_SERIES := 2.19 2.21
TEST_GATES := lint unit sanity build lab-test

# Prints a gate header: $(call header,text)
header = @printf '\n\033[1m==== %s ====\033[0m\n' "$(1)"
ifdef CI
header = @printf '\n==== %s ====\n' "$(1)"
endif

# The lab engineer's targets: lab-up lab-down lab-status lab-test demo.
-include lab/lab.mk
ifeq ($(wildcard $(ROOT)/lab/lab.mk),)
.PHONY: lab-up lab-down lab-status lab-test demo
lab-up lab-down lab-status lab-test demo:
	$(call header,$@)
	@echo "$@: lab/lab.mk is not in this checkout yet; nothing to do"
endif

.PHONY: help
help:
	@echo "cephkit.cephadm make targets"
	@echo
	@echo "  test            all gates: deps, lint, unit, sanity, build, then lab-test"
	@echo "  demo            bring the lab up and deploy a cluster (lab/lab.mk)"
	@echo
	@echo "  deps            Debian packages ($(APT_PACKAGES)) and the venvs"
	@echo "  venv venv-2.21  one venv (idempotent: ~1 s when up to date)"
	@echo "  lint            $(LINT_GATES)"
	@echo "  unit            pytest tests/unit"
	@echo "  sanity          ansible-test sanity: $(addprefix sanity-,$(SANITY_SERIES))"
	@echo "                  (extra options: make sanity-2.21 SANITY_ARGS='--test pep8')"
	@echo "  build           ansible-galaxy build + offline install + ansible-doc check"
	@echo "  fmt             ruff format + ruff check --fix (rewrites files)"
	@echo "  lab-up lab-down lab-status lab-test   the lab (lab/lab.mk)"
	@echo "  clean           remove .build/ and .cache/;  distclean: also the venvs"

# --------------------------------------------------------------------------- test
# Runs every gate even when one fails, then prints a summary; fails if any did.
.PHONY: test
test: deps
	@failed=(); summary=(); \
	for gate in $(TEST_GATES); do \
	  start=$$SECONDS; \
	  if $(MAKE) $$gate; then result=passed; else result=FAILED; failed+=("$$gate"); fi; \
	  summary+=("$$(printf '  %-10s %-7s %4d s' "$$gate" "$$result" "$$((SECONDS - start))")"); \
	done; \
	printf '\n==== summary ====\n'; printf '%s\n' "$${summary[@]}"; \
	if [ $${#failed[@]} -gt 0 ]; then echo "make test: FAILED: $${failed[*]}"; exit 1; fi; \
	echo "make test: all gates passed"

# --------------------------------------------------------------------------- deps
.PHONY: deps deps-apt venv venv-2.21
deps: deps-apt venv venv-2.21

deps-apt:
	$(call header,deps: Debian packages)
	@missing=(); \
	for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' "$$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$$p"); \
	done; \
	if [ $${#missing[@]} -eq 0 ]; then echo "deps: all present: $(APT_PACKAGES)"; exit 0; fi; \
	sudo=; [ "$$(id -u)" -eq 0 ] || sudo=sudo; \
	echo "deps: installing $${missing[*]}"; \
	$$sudo apt-get update -qq; \
	DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends "$${missing[@]}" >/dev/null; \
	echo "deps: installed $${missing[*]}"

# `venv` always checks (about a second); the gates depend on the stamp files,
# so they rebuild a venv only when its requirements or hack/venv.sh changed.
venv $(VENV_STAMP): $(VENV_REQUIREMENTS) hack/venv.sh
	$(call header,deps: $(VENV) (Python $(VENV_PYTHON)))
	@hack/venv.sh $(VENV) $(VENV_PYTHON) $(VENV_REQUIREMENTS)

venv-2.21 $(VENV_221_STAMP): $(VENV_221_REQUIREMENTS) hack/venv.sh
	$(call header,deps: $(VENV_221) (Python $(VENV_221_PYTHON)))
	@hack/venv.sh $(VENV_221) $(VENV_221_PYTHON) $(VENV_221_REQUIREMENTS)

# --------------------------------------------------------------------------- lint
.PHONY: lint $(LINT_GATES) fmt
# -k: every linter runs and reports even if an earlier one failed.
lint:
	@$(MAKE) -k $(LINT_GATES)

$(LINT_GATES) fmt unit build: $(VENV_STAMP)

lint-ruff:
	$(call header,lint: ruff check + ruff format --check)
	ruff check .
	ruff format --check .

lint-mypy:
	$(call header,lint: mypy (strict for plugins/))
	hack/mypy.sh

lint-yaml:
	$(call header,lint: yamllint)
	yamllint --strict .

lint-shell:
	$(call header,lint: shellcheck)
	shellcheck $(SHELL_SCRIPTS)
	@echo "shellcheck: $(words $(SHELL_SCRIPTS)) script(s) clean"

lint-ansible:
	$(call header,lint: ansible-lint (profile production))
	ansible-lint

lint-changelog:
	$(call header,lint: antsibull-changelog)
	antsibull-changelog lint
	antsibull-changelog lint-changelog-yaml changelogs/changelog.yaml
	@echo "changelog: fragments and changelog.yaml are valid"

lint-docs:
	$(call header,lint: antsibull-docs lint-collection-docs --plugin-docs)
	@tree=$$(hack/build-tree.sh .build/docs) && cd "$$tree" && \
	  antsibull-docs lint-collection-docs --plugin-docs . && echo "docs: collection docs are valid"

fmt:
	ruff format .
	ruff check --fix .

# --------------------------------------------------------------------------- unit
# pytest-ansible finds the collection through ANSIBLE_COLLECTIONS_PATH
# (--ansible-unit-inject-only in pyproject.toml): point it at a symlink tree.
.PHONY: unit
unit:
	$(call header,unit: pytest tests/unit)
	@mkdir -p .build/collections/ansible_collections/cephkit
	@ln -sfn $(ROOT) .build/collections/ansible_collections/cephkit/cephadm
	ANSIBLE_COLLECTIONS_PATH=$(ROOT)/.build/collections pytest $(PYTEST_ARGS)

# --------------------------------------------------------------------------- sanity
.PHONY: sanity $(addprefix sanity-,$(SANITY_SERIES))
sanity:
	@$(MAKE) -k $(addprefix sanity-,$(SANITY_SERIES))

sanity-2.19: $(VENV_STAMP)
sanity-2.21: $(VENV_221_STAMP)
$(addprefix sanity-,$(SANITY_SERIES)): sanity-%:
	$(call header,sanity: ansible-test sanity with ansible-core $*)
	hack/sanity.sh $* $(SANITY_ARGS)

# --------------------------------------------------------------------------- build
.PHONY: build
build:
	$(call header,build: ansible-galaxy collection build + offline install)
	hack/build.sh

# --------------------------------------------------------------------------- clean
.PHONY: clean distclean
clean:
	rm -rf .build .cache .mypy_cache .ruff_cache .pytest_cache

distclean: clean
	rm -rf $(VENV) $(VENV_221)
