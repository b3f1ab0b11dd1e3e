# Gongkai — Pelican's conventional targets plus our own. The first target run on a
# fresh machine creates .venv and installs everything into it (nothing global).
PY        ?= python3
VENV      := .venv
BIN       := $(VENV)/bin
PELICAN   := $(BIN)/pelican
INPUTDIR  := content
OUTPUTDIR := output
CONFFILE  := pelicanconf.py
PUBLISHCONF := publishconf.py
PORT      ?= 8000
BIND      ?= 127.0.0.1
ASOF      ?=
export ASOF

STAMP := $(VENV)/.installed

.PHONY: help html serve devserver check test publish bench clean setup

help:
	@echo "make serve      构建网站并在 http://$(BIND):$(PORT) 上预览"
	@echo "make html       构建网站到 $(OUTPUTDIR)/（失败时保留原有网站）"
	@echo "make devserver  修改内容后自动重新构建并预览"
	@echo "make check      检查 content/ 中所有文件的元数据"
	@echo "make test       运行全部测试"
	@echo "make publish    用 publishconf.py 构建正式发布版本"
	@echo "make bench      测量构建速度（与原版 Pelican 对比）"

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

html: $(STAMP)
	$(BIN)/python scripts/build.py --settings $(CONFFILE) --output $(OUTPUTDIR)

serve: html
	@echo "网站已构建，正在 http://$(BIND):$(PORT)/ 提供预览（按 Ctrl+C 停止）"
	$(PELICAN) --listen --settings $(CONFFILE) --output $(OUTPUTDIR) --port $(PORT) --bind $(BIND)

devserver: $(STAMP)
	$(PELICAN) --autoreload --listen --settings $(CONFFILE) --output $(OUTPUTDIR) --port $(PORT) --bind $(BIND)

check: $(STAMP)
	$(BIN)/python scripts/check.py

test: $(STAMP)
	$(BIN)/python -m pytest

publish: $(STAMP)
	$(BIN)/python scripts/build.py --settings $(PUBLISHCONF) --output $(OUTPUTDIR)

bench: $(STAMP)
	$(BIN)/python scripts/bench.py

clean:
	rm -rf $(OUTPUTDIR) .cache
