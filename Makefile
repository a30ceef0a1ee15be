# Two commands for a newcomer: `make demo` and `make test`. See README.md.
SHELL := /bin/bash
export ODOO_SRC ?= /opt/odoo-18.0
export NO_SERVE BENCH BENCH_ARGS

.PHONY: demo test unit lint format bench screenshots setup clean

setup:
	@scripts/setup.sh

demo:
	@scripts/demo.sh

test:
	@scripts/test.sh $(PYTEST_ARGS)

unit:
	@scripts/unit.sh

lint:
	@scripts/lint.sh

format:
	@scripts/lint.sh --fix

bench:
	@scripts/bench.sh

screenshots:
	@scripts/screenshots.sh

clean:
	rm -rf .venv .odoo
