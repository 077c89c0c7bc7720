# Development shortcuts. Every target bootstraps .venv (scripts/lib.sh) on first use.
PY := .venv/bin/python

.PHONY: test venv sanity units integration build lint ee demo bench emulator

test:
	bash scripts/test.sh

venv:
	bash scripts/test.sh venv

sanity units integration build lint:
	bash scripts/test.sh $@

ee:
	bash scripts/ee.sh

demo:
	bash scripts/demo.sh

bench: venv
	$(PY) bench/run.py

emulator: venv
	$(PY) -m tests.emulator --port 8580
