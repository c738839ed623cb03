# 《大模型，小团队》: the commands a reader, an instructor and a maintainer need.
.PHONY: env book test outputs gpu clean

env:      ## create .venv with the pinned environment (CPU)
	bash tools/install.sh

book:     ## build the site from the stored outputs -> _build/html/index.html
	bash tools/build_book.sh

test:     ## unit tests + nbval over every notebook (what CI runs)
	bash tools/test.sh

outputs:  ## re-execute every notebook at CPU scale and store the outputs
	[ -x .venv/bin/python ] || bash tools/install.sh
	.venv/bin/python tools/run_notebooks.py

gpu:      ## on a CUDA machine: run the notebooks at GPU scale, record src/lmbook/results/gpu_results.json
	python tools/gpu_runner.py

clean:
	rm -rf _build
