# Submitter: `make run` starts the app, `make test` runs the whole suite.
# Both set everything up on a fresh Debian/Ubuntu machine (python3, make, root).
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PEERS  := .peers
STAMPS := .make
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export PIP_DISABLE_PIP_VERSION_CHECK := 1

# System packages: Python venv support, Qt's runtime libraries, and the real
# peers the tests use (age, exiftool, ffmpeg, mat2, microsocks, a Secret
# Service, Xvfb, Node for the TypeScript age and tus server).
APT_RUNTIME := python3 python3-venv python3-pip ca-certificates \
	libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 \
	libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0 \
	libxcb-randr0 libxcb-render-util0 libxcb-image0 libmagic1
APT_RUNTIME += fonts-dejavu-core  # Cyrillic glyphs for the Russian UI (and its screenshots)
APT_PEERS := age libimage-exiftool-perl ffmpeg mat2 microsocks gnome-keyring dbus \
	dbus-x11 xvfb xauth curl desktop-file-utils appstream \
	zbar-tools time
APT_PEERS += strace  # watches every file a real submit opens for writing (tests/bundle)
APT_PEERS += zip  # Info-ZIP: real-world zips (extra fields, passwords) for the archive tests
# exiftool reads inside ZIP containers (DOCX, ODT, ZIP) only with Archive::Zip,
# a recommends that --no-install-recommends leaves out.
APT_PEERS += libarchive-zip-perl

.PHONY: help
help: ## Show this help
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-10s\033[0m %s\n", $$1, $$2}'

$(STAMPS)/apt-runtime:
	@mkdir -p $(STAMPS)
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(APT_RUNTIME)
	@touch $@

$(STAMPS)/apt-peers: $(STAMPS)/apt-runtime Makefile
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(APT_PEERS)
	# Node may already come from another repository that bundles npm; Debian's
	# npm package conflicts with such a node, so install both only when absent.
	command -v npm >/dev/null || $(SUDO) env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends nodejs npm
	@touch $@

$(STAMPS)/venv: $(STAMPS)/apt-runtime pyproject.toml
	[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	@touch $@

# The compiled Russian translation: generated from the committed .ts, not kept in git.
QM := ui/translations/submitter_ru.qm
$(QM): ui/translations/submitter_ru.ts | $(STAMPS)/venv
	$(VENV)/bin/pyside6-lrelease -silent $< -qm $@

# npm peers: CCTV age vectors, the TypeScript age, the reference tus server.
$(STAMPS)/npm: $(STAMPS)/apt-peers tests/peers/package.json
	cd tests/peers && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# The C2SP CCTV age vectors, one file each, for tests/crypto/test_cctv.py.
$(STAMPS)/cctv: $(STAMPS)/npm tests/crypto/dump_cctv.mjs
	rm -rf $(PEERS)/cctv && node tests/crypto/dump_cctv.mjs $(PEERS)/cctv
	@touch $@

# onionshare-cli lives in its own venv: its pins must not touch ours.
# A `tor` stub on PATH lets `--local-only` start; it is never run.
$(STAMPS)/onionshare: $(STAMPS)/apt-runtime
	[ -x $(PEERS)/onionshare/bin/python ] || $(PYTHON) -m venv $(PEERS)/onionshare
	$(PEERS)/onionshare/bin/python -m pip install -q onionshare-cli==2.7
	mkdir -p $(PEERS)/bin
	printf '#!/bin/sh\necho "tor stub: not for use" >&2\nexit 1\n' > $(PEERS)/bin/tor
	chmod +x $(PEERS)/bin/tor
	@touch $@

.PHONY: setup setup-test
setup: $(STAMPS)/venv $(QM) ## Install the app into .venv
setup-test: setup $(STAMPS)/apt-peers $(STAMPS)/npm $(STAMPS)/cctv $(STAMPS)/onionshare ## Install the app and every test peer

.PHONY: run
run: setup ## Set up and start the desktop app
	$(VENV)/bin/submitter

.PHONY: demo
demo: setup ## Start the app in demo mode (a local demo organisation; no real material)
	$(VENV)/bin/submitter --demo

# The suite runs inside a private D-Bus session with an unlocked
# gnome-keyring, so the keyring tests talk to a real Secret Service.
.PHONY: test
test: setup-test ## Set up everything and run the whole test suite
	QT_QPA_PLATFORM=offscreen dbus-run-session -- bash tests/with_keyring.sh \
		$(PY) -m pytest $(PYTEST_ARGS)

.PHONY: lint
lint: setup ## ruff and mypy (strict on crypto/)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

.PHONY: bench
bench: setup-test ## Benchmarks: ratios against peers measured in the same run
	$(PY) -m bench

.PHONY: package
package: setup $(STAMPS)/apt-peers ## Build the reproducible Linux bundle into dist/
	$(PY) -m pip install -q 'pyinstaller>=6.10,<7'
	PY=$(abspath $(PY)) bash packaging/linux/build-bundle.sh

.PHONY: screenshots
screenshots: setup $(STAMPS)/apt-peers ## Retake docs/screenshots/ from the real window under Xvfb
	$(PY) docs/screenshots/take_screenshots.py

.PHONY: clean
clean: ## Remove build outputs (keeps .venv and peers)
	rm -rf build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
