# Gongkai — Pelican's conventional targets plus our own. The first target run on a
# fresh machine creates .venv and installs the Python packages into it (nothing
# global). make test (and make setup, make bench) also installs the Debian packages
# the tests use when they are missing (scripts/system_packages.sh: as root or with
# passwordless sudo; otherwise it stops and prints the one command to run).
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
# make html DRAFTS=1: also the staff drafts of annual reports not yet final (never in make publish)
DRAFTS    ?=
export DRAFTS

STAMP := $(VENV)/.installed
# axe-core from npm, for the accessibility tests (npm ci writes this file).
AXE   := node_modules/.package-lock.json
# make test TESTS="tests/test_site.py" runs only those tests.
TESTS ?=

.PHONY: help html serve devserver check search test publish rollback releases bench clean setup venv new \
	review-summary import system-packages schedule edit

help:
	@echo "make serve      构建网站并在 http://$(BIND):$(PORT) 上预览"
	@echo "make html       构建网站到 $(OUTPUTDIR)/（失败时保留原有网站）"
	@echo "make devserver  修改内容后自动重新构建并预览"
	@echo "make check      检查 content/ 中所有文件的元数据（FILES=\"content/policy/x.md\" 只报告这些文件；BASE=origin/main 把本分支提交的文件算作新增）"
	@echo "make new        新建一条信息：逐项询问，自动分配索引号"
	@echo "make edit       在浏览器中编辑信息（http://127.0.0.1:$(EDIT_PORT)/admin/）：每条信息保存为一个分支上的提交"
	@echo "make import ARGS=\"页面.html --type policy\"  把旧网站保存的页面转成文件"
	@echo "make review-summary BASE=origin/main  合并请求的审查摘要：检查结果、新增信息的全部字段和正文、修改的差异、删除的地址"
	@echo "make search Q=\"营商环境 issuer:县财政局\"  在 content/ 中搜索已有文件（含未构建的文件）"
	@echo "make test       运行全部测试（第一次运行时安装测试需要的 Debian 软件包）"
	@echo "make publish    检查并构建正式版本到 $(DEPLOY_DIR)/releases/，成功后切换 $(DEPLOY_DIR)/current"
	@echo "make schedule   按意见征集的开始、截止时刻安排重建：写出 $(DEPLOY_DIR)/schedule/ 中的 systemd 定时器和 crontab"
	@echo "make rollback   回到发布记录中的上一个版本（TO=版本名 可指定任一版本，包括撤回的）"
	@echo "make releases   列出已发布的版本：提交、时间、撤回、损坏（VERIFY=1 逐个核对文件内容）"
	@echo "make bench      测量构建速度（与原版 Pelican 对比）"

# Everything for development and the tests: .venv, the Debian packages, axe-core.
setup: $(STAMP) $(AXE)

# Only .venv: what make html, make serve and scripts/*.py need (no Debian package,
# except python3-venv where Debian's python3 lacks its venv module).
venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || PY=$(PY) scripts/system_packages.sh venv
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(AXE): package-lock.json | system-packages
	npm ci --no-audit --no-fund --silent
	touch $@

# Chromium, fonts, nginx with brotli_static, npm: installed when missing.
system-packages:
	@scripts/system_packages.sh test

html: $(STAMP)
	$(BIN)/python scripts/build.py --settings $(CONFFILE) --output $(OUTPUTDIR)

serve: html
	@echo "网站已构建，正在 http://$(BIND):$(PORT)/ 提供预览（按 Ctrl+C 停止）"
	$(PELICAN) --listen --settings $(CONFFILE) --output $(OUTPUTDIR) --port $(PORT) --bind $(BIND)

devserver: $(STAMP)
	$(PELICAN) --autoreload --listen --settings $(CONFFILE) --output $(OUTPUTDIR) --port $(PORT) --bind $(BIND)

# FILES="content/policy/x.md …" reports only those files (the whole tree is still read).
# A duplicate number is blamed on the file git counts as new or changed since HEAD; BASE=origin/main
# (given on the command line or in the environment, as CI does) counts since the branch left it.
FILES ?=
check: $(STAMP)
	$(BIN)/python scripts/check.py $(if $(filter command line environment,$(origin BASE)),--base "$(BASE)") $(FILES)
	@# The built site's internal and attachment links, when there is a built site.
	if [ -f $(OUTPUTDIR)/index.html ]; then $(BIN)/python scripts/linkcheck.py $(OUTPUTDIR); fi

# Staff search; Q is passed whole (quotes inside it mark phrases), as typed: make
# does not expand a $ in it. No hits is an answer, not a failure: make search then
# ends with 0 after 没有找到… (scripts/search.py itself exits 1, like grep).
SEARCH_QUERY := $(value Q)
export SEARCH_QUERY
search: $(STAMP)
	@$(BIN)/python scripts/search.py -- "$$SEARCH_QUERY" || { status=$$?; [ $$status -eq 1 ] || exit $$status; }

# The Debian packages first: without them no test starts (one line says what to run).
test: system-packages $(STAMP) $(AXE)
	$(BIN)/python -m pytest $(TESTS)

# Publishing through git (issue 6): a new item, and the pull request's summary.
# ARGS passes options, read by the shell as typed (make expands nothing in it):
# make new ARGS="--type policy --title …"; BASE is the branch compared with.
new: $(STAMP)
	$(BIN)/python scripts/new.py $(value ARGS)

# Staff edit in a browser (issue 19): Decap CMS from node_modules and decap-server in git
# mode on this repository; each entry is a branch cms/<type>/<slug> (scripts/edit.py).
EDIT_PORT ?= 8010
EDIT_PROXY_PORT ?= 8081
edit: $(STAMP)
	$(BIN)/python scripts/edit.py --port $(EDIT_PORT) --proxy-port $(EDIT_PROXY_PORT)

# Pages saved from the old portal: make import ARGS="旧网站保存的页面/ --type policy".
import: $(STAMP)
	$(BIN)/python scripts/import_html.py $(value ARGS)

# COMMENT=file also writes the summary cut to fit a pull-request comment (CI posts it).
BASE ?= origin/main
COMMENT ?=
review-summary: $(STAMP)
	$(BIN)/python scripts/review_summary.py --base $(BASE) --output review-summary.md $(if $(COMMENT),--comment-output $(COMMENT))

# Releases under DEPLOY_DIR (default deploy/): releases/<time>-<commit>/, the
# `current` symlink the web server serves (see deploy/nginx.conf) and
# history.jsonl, every switch of `current`, which make rollback follows.
DEPLOY_DIR ?= deploy
export DEPLOY_DIR
publish: $(STAMP)
	$(BIN)/python scripts/publish.py publish --settings $(PUBLISHCONF)

# Rebuilds at each coming opening/closing of a solicitation (scripts/rebuild.sh runs
# it after each publish): DEPLOY_DIR/schedule/moments.conf (a drop-in for
# gongkai-rebuild.timer) and DEPLOY_DIR/schedule/crontab. See docs/operations.md.
schedule: $(STAMP)
	$(BIN)/python scripts/schedule.py

rollback: $(STAMP)
	$(BIN)/python scripts/publish.py rollback $(if $(TO),--to $(TO))

releases: $(STAMP)
	@$(BIN)/python scripts/publish.py releases $(if $(VERIFY),--verify)

bench: $(STAMP)
	@scripts/system_packages.sh bench
	$(BIN)/python scripts/bench.py

clean:
	rm -rf $(OUTPUTDIR) $(dir $(OUTPUTDIR)).$(notdir $(OUTPUTDIR)).old .cache
