# Protocol Reviewer. `make run` and `make test` do all set-up themselves:
# the Debian packages (installer/system-packages.sh), uv, and the virtual env from uv.lock (its
# modules compiled once at install: a start, and each bulk import worker, need not compile them).
PYTHON ?= python3
UV_VERSION := 0.13.9
VENV := .venv
UV := .tools/bin/uv
SYNCED := $(VENV)/.synced-$(shell cat uv.lock pyproject.toml 2>/dev/null | cksum | cut -d' ' -f1)
DATA_DIR ?=
BENCH_N ?= 5000
PYTEST_ARGS ?=
VERSION := $(shell sed -n 's/^__version__ = "\(.*\)"/\1/p' reviewer/__init__.py)
RELEASE := dist/ProtocolReviewer-$(VERSION)-linux-x86_64.tar.gz

.PHONY: run test setup lint bench clean bundle bundle-test release

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(SYNCED): uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --compile-bytecode --python $(PYTHON)
	rm -f $(VENV)/.synced-*
	touch $@

setup: $(SYNCED)

run: $(SYNCED)
	installer/system-packages.sh run
	$(VENV)/bin/reviewer $(if $(DATA_DIR),--data-dir $(DATA_DIR)) gui

test: $(SYNCED)
	installer/system-packages.sh test
	$(VENV)/bin/ruff check reviewer tests
	QT_QPA_PLATFORM=offscreen $(VENV)/bin/pytest $(PYTEST_ARGS)

lint: $(SYNCED)
	$(VENV)/bin/ruff check reviewer tests
	$(VENV)/bin/lint-imports

bench: $(SYNCED)
	cd tests/perf && ../../$(VENV)/bin/python bench_import.py --n $(BENCH_N)

# The installer (README, Installer). `--inexact` adds PyInstaller without removing anything, so the
# $(SYNCED) stamp stays valid; a later re-sync for `make test` may drop PyInstaller again, and the
# next `make bundle` brings it back.
bundle: $(SYNCED)
	installer/system-packages.sh bundle
	$(UV) sync --frozen --inexact --group bundle --python $(PYTHON)
	installer/build.sh

bundle-test: bundle
	installer/smoke.sh dist/ProtocolReviewer

release: bundle-test
	rm -f $(RELEASE)
	tar -C dist --transform 's,^ProtocolReviewer,ProtocolReviewer-$(VERSION),' -czf $(RELEASE) ProtocolReviewer
	@echo "release: $(RELEASE) ($$(du -h $(RELEASE) | cut -f1))"

clean:
	rm -rf $(VENV) .tools .pytest_cache .ruff_cache build dist tests/fixtures/.unpacked
