# Two commands on a fresh machine: `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Downloads are cached outside the clone so a fresh clone does not fetch them again.
export PIP_CACHE_DIR ?= $(HOME)/.cache/fairwatch/pip

.PHONY: install demo test lint services services-stop es es-stop clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

demo: install
	$(BIN)/fairwatch demo --no-serve

services:
	bash scripts/services.sh start

services-stop:
	bash scripts/services.sh stop

# A real Elasticsearch node from Maven Central (scripts/elasticsearch.sh), left running.
es:
	bash scripts/elasticsearch.sh start

es-stop:
	bash scripts/elasticsearch.sh stop

lint: install
	$(BIN)/ruff check .

test: install services es lint
	env $$(bash scripts/services.sh env) $$(bash scripts/elasticsearch.sh env) $(BIN)/pytest

clean:
	rm -rf $(VENV) data
