# 《大模型，小团队》: the commands a reader, an instructor and a maintainer need.
.PHONY: env book test export outputs gpu gpu-dryrun clean
PY := .venv/bin/python

env:        ## create .venv with the pinned environment (CPU)
	bash tools/install.sh

book:       ## build the site from the stored outputs -> _build/html/index.html
	bash tools/build_book.sh

test:       ## unit tests + nbval over every notebook (what CI runs)
	bash tools/test.sh

export:     ## write the lesson code the notebooks teach (`#| export` cells) into src/lmbook/, sync set-up cells
	[ -x $(PY) ] || bash tools/install.sh
	$(PY) tools/export_lessons.py
	$(PY) tools/sync_notebooks.py

outputs: export  ## re-execute every notebook at CPU scale and store the outputs (NB=path for one notebook)
	$(PY) tools/run_notebooks.py $(NB)

gpu:        ## on a CUDA machine: run the notebooks at GPU scale, record src/lmbook/results/gpu_results.json
	python tools/gpu_runner.py $(NB)

gpu-dryrun: ## GPU-scale shapes with capped steps and data, on this machine (no GPU needed); records nothing
	$(PY) tools/gpu_runner.py --dry-run $(NB)

clean:
	rm -rf _build
