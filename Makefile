# 《大模型，小团队》: the commands a reader, an instructor and a maintainer need.
.PHONY: env book test export outputs gpu gpu-dryrun bench clean doctor student times workshop appendix site-check serve bundle
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

bench:      ## time one training step of the chapter-6 GPT here: ms/iter, tokens/s, peak memory, MFU (ARGS="--config baby --dtype bf16 --compile")
	$(PY) tools/bench_gpt.py $(ARGS)

doctor:     ## environment self-check: every dependency OK / missing / wrong version (with the fix), GPUs seen
	[ -x $(PY) ] || bash tools/install.sh
	$(PY) -m lmbook.doctor --all

student:    ## student notebooks, solutions removed -> _build/student/notebooks/ (the notebooks are not touched)
	$(PY) tools/student_notebooks.py

times:      ## rewrite every notebook's 预计用时 line from its measured time (metadata) and the GPU records
	$(PY) tools/nbtiming.py $(NB)

workshop:   ## regenerate the schedules and instructor notes of book/workshop.md from the notebooks
	$(PY) tools/workshop.py

appendix:   ## regenerate the appendix (errata, glossary, FAQ, tools with pinned versions, notation) from its data files
	$(PY) tools/render_errata.py
	$(PY) tools/appendix.py

site-check: ## open every page of the built site in headless Chromium, network off, under the GitHub Pages sub-path
	$(PY) tools/check_site.py

serve:      ## serve the built site at http://127.0.0.1:8000/ (diagrams also work from file://)
	$(PY) -m http.server 8000 --bind 127.0.0.1 -d _build/html

bundle: book  ## offline workshop bundle -> _build/bundle/<repo>-<version>.tar.gz and .zip (WHEELS=1: with wheels)
	$(PY) tools/make_bundle.py $(if $(WHEELS),--wheels)

clean:
	rm -rf _build
