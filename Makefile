# glassbox: two commands do all the set-up on a fresh machine (see README.md).
#
#   make test    create .venv, install glassbox and its test tools, run every test
#   make lab     the same set-up plus JupyterLab, then open tutorials/ (glassbox kernel)
#   make bench   run benchmarks/ (creates .venv-jax with the real JAX to compare)
#
# Only `python3` (3.10+) is needed beforehand. Each install step leaves a stamp
# file in the virtual environment, so later runs skip it until pyproject.toml
# changes. Override the interpreter with `make test PYTHON=python3.12`.

PYTHON     ?= python3
VENV       ?= .venv
JAX_VENV   ?= .venv-jax
PY         := $(VENV)/bin/python
JAX_PY     := $(JAX_VENV)/bin/python
PYTEST_ARGS ?=
# Parallel test processes (pytest-xdist); the suite takes ~12-15 min with 2 on 2 cores.
TEST_WORKERS ?= 2
LAB_ARGS   ?=
JAX_VERSION := 0.10.2

.PHONY: test lab bench setup graphviz chromium clean help
.DEFAULT_GOAL := help

help:
	@echo "make test   - set up .venv (first run only) and run the whole test suite"
	@echo "make lab    - set up .venv with JupyterLab and open it on tutorials/"
	@echo "make bench  - run the benchmarks against NumPy and (in $(JAX_VENV)) JAX $(JAX_VERSION)"
	@echo "make clean  - remove $(VENV), $(JAX_VENV) and build leftovers"

test: $(VENV)/.stamp-test $(VENV)/.stamp-ecosystem graphviz chromium
	$(PY) -m pytest -q -p no:cacheprovider -n $(TEST_WORKERS) $(PYTEST_ARGS)

# The tutorials name the glassbox kernel, installed into .venv by the stamp step.
# jupyter refuses to run as root without --allow-root (containers, CI boxes).
lab: $(VENV)/.stamp-lab $(VENV)/.stamp-ecosystem graphviz
	exec $(VENV)/bin/jupyter lab --notebook-dir tutorials \
	    $$( [ "$$(id -u)" = 0 ] && echo --allow-root ) $(LAB_ARGS)

bench: $(VENV)/.stamp-test $(JAX_VENV)/.stamp-jax-$(JAX_VERSION)
	$(PY) benchmarks/run.py --jax-python $(JAX_PY)

setup: $(VENV)/.stamp-test $(VENV)/.stamp-ecosystem graphviz chromium

# --- virtual environments -------------------------------------------------

# Debian's python3 has no `venv`/`ensurepip` until python3-venv is installed.
# A failed attempt must not leave a half-made .venv that looks finished.
$(PY):
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || { $(call apt_install,python3-venv,virtual environments); }
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); exit 1; }

# Editable install: edits under core/, kernel/, widgets/ take effect at once.
# An editable install skips wheel data, so the glassbox kernelspec is installed
# explicitly, into the venv (the tests and the tutorials run under it).
$(VENV)/.stamp-test: pyproject.toml kernel/resources/kernel.json | $(PY)
	$(PY) -m pip install --quiet -e '.[test]'
	$(PY) -m glassbox.kernel install --sys-prefix
	touch $@

$(VENV)/.stamp-lab: $(VENV)/.stamp-test pyproject.toml
	$(PY) -m pip install --quiet -e '.[test,lab]'
	$(PY) -m glassbox.kernel install --sys-prefix
	touch $@

# The JAX libraries tests/ecosystem/ runs on glassbox (optax, flax, equinox, ...).
# --no-deps: each requires the real `jax`, which must never enter .venv; their other
# dependencies are listed in the file itself (see its header).
ECOSYSTEM_REQS := tests/ecosystem/requirements.txt
$(VENV)/.stamp-ecosystem: $(ECOSYSTEM_REQS) $(VENV)/.stamp-test
	$(PY) -m pip install --quiet --no-deps -r $(ECOSYSTEM_REQS)
	touch $@

# The real JAX lives in its own environment so glassbox never sees it.
$(JAX_PY):
	$(PYTHON) -m venv $(JAX_VENV) || { rm -rf $(JAX_VENV); exit 1; }

$(JAX_VENV)/.stamp-jax-$(JAX_VERSION): | $(JAX_PY)
	$(JAX_PY) -m pip install --quiet 'jax==$(JAX_VERSION)' 'jaxlib==$(JAX_VERSION)' numpy
	touch $@

# --- system packages ------------------------------------------------------

# $(call apt_install,PACKAGE,WHAT FOR): install a Debian/Ubuntu package when we
# are root (or have password-less sudo); otherwise say how, and carry on.
define apt_install
if ! command -v apt-get >/dev/null 2>&1; then \
    echo "note: no apt-get here: install '$(1)' with your package manager ($(2))"; \
else \
    if [ "$$(id -u)" = 0 ]; then sudo=; \
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo"; \
    else sudo=none; fi; \
    if [ "$$sudo" = none ]; then \
        echo "note: not root: run 'sudo apt-get install $(1)' ($(2))"; \
    else \
        echo "installing the $(1) system package with apt-get ($(2))"; \
        { $$sudo apt-get update -qq && $$sudo env DEBIAN_FRONTEND=noninteractive \
            apt-get install -y -qq --no-install-recommends $(1) >/dev/null; } \
        || echo "warning: apt-get could not install $(1)"; \
    fi; \
fi
endef

# The graph views lay out with graphviz's `dot`; everything else works without it.
graphviz:
	@command -v dot >/dev/null 2>&1 || { $(call apt_install,graphviz,graph layouts); }

# The widget tests run JupyterLab in headless Chromium (Debian's package, driven by
# Playwright; Playwright's own browser download is not used).
chromium:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 \
	    || { $(call apt_install,chromium,browser tests of the widgets); }

clean:
	rm -rf $(VENV) $(JAX_VENV) build dist *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
