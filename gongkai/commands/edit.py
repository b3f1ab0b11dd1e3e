"""make edit: staff edit in a browser (Decap CMS), one branch and commit per entry.

    make edit                           # http://127.0.0.1:8010/admin/
    python3 scripts/edit.py --port 8010 --proxy-port 8081
    python3 scripts/edit.py --write-config   # regenerate editor/config.yml from metadata_schema/
    python3 scripts/edit.py --check-config   # exit 1 when editor/config.yml is out of date

Two local servers, both on 127.0.0.1 only:
- decap-server (npm, pinned in package-lock.json) in its git mode on this repository:
  Decap's editorial workflow keeps each new or changed entry on a branch cms/<type>/<slug>
  with one commit per save, and its status (草稿/审查中/就绪) in git config;
- this process: /admin/ (editor/index.html), Decap CMS from node_modules (nothing from a
  CDN), the configuration generated from metadata_schema/ (gongkai.core.editor) with the
  next free 索引号, and the make check results of each cms/ branch (/admin/check/, and the
  preview panel beside the form).

decap-server checks branches out in this working tree and commits with `git add .`, so
make edit starts only from a clean working tree (else uncommitted work would be swept into
an entry's commit). Approval is unchanged: make review-summary on the branch, merge it, make
publish. Decap's own 发布 button merges the branch into the current branch locally."""
from __future__ import annotations

import argparse
import http.server
import json
import mimetypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from datetime import date
from pathlib import Path

import yaml

from gongkai.commands.new import body_skeleton
from gongkai.core import editor, messages, schema
from gongkai.core import settings as settings_mod
from gongkai.core.corpus import read_tree
from gongkai.core.index_no import next_index_no
from gongkai.core.index_no import split as split_index_no

ROOT = settings_mod.ROOT
EDITOR_DIR = ROOT / "editor"
DIST = ROOT / "node_modules" / "decap-cms" / "dist"
SERVER_JS = ROOT / "node_modules" / "decap-server" / "dist" / "index.js"
BRANCH_PREFIX = "cms/"
# what Decap writes into git config branch.<name>.description, titled as its Chinese interface titles it
STATUS_TITLES = {"draft": "草稿", "pending_review": "审查中", "pending_publish": "就绪"}


class Abort(Exception):
    """One Chinese line for staff, exit 1, never a traceback."""


def git(*args, cwd: Path = ROOT, check: bool = True) -> str:
    done = subprocess.run(["git", "-c", "core.quotepath=off", "-C", str(cwd), *args], capture_output=True, text=True)
    if check and done.returncode != 0:
        raise Abort(f"git {' '.join(args)} 失败：{done.stderr.strip()}")
    return done.stdout if done.returncode == 0 else ""


def preflight(root: Path) -> str:
    """The branch to edit from; Abort when decap-server could not work safely here."""
    if not (DIST / "decap-cms.js").is_file() or not SERVER_JS.is_file():
        raise Abort("还没有安装编辑器（decap-cms、decap-server）；请先运行 npm ci（make test 也会运行它），再运行 make edit")
    if shutil.which("node") is None:
        raise Abort("找不到 node；请先安装：sudo apt-get install nodejs npm")
    if subprocess.run(["git", "-C", str(root), "rev-parse", "--verify", "-q", "HEAD"],
                      capture_output=True).returncode != 0:
        raise Abort(f"{root} 不是有提交记录的 git 仓库；编辑器把每条信息保存为一个分支上的提交，需要 git 仓库")
    branch = git("symbolic-ref", "--short", "-q", "HEAD", cwd=root, check=False).strip()
    if not branch:
        raise Abort("当前不在任何分支上（detached HEAD）；请先 git checkout main，再运行 make edit")
    if branch.startswith(BRANCH_PREFIX):
        raise Abort(f"当前在编辑器的分支 {branch} 上；请先 git checkout main，再运行 make edit")
    dirty = git("status", "--porcelain", "--untracked-files=normal", cwd=root).strip()
    if dirty:
        first = dirty.splitlines()[0][3:]
        raise Abort(f"工作区有未提交的修改（例如 {first}）；编辑器保存时会把它们一起提交，"
                    "请先提交（git commit）或收起（git stash）这些修改，再运行 make edit")
    for key in ("user.name", "user.email"):
        if not git("config", key, cwd=root, check=False).strip():
            raise Abort(f"git 还没有设置 {key}，编辑器无法提交；请运行 git config {key} \"……\"（填写您的姓名或邮箱）")
    return branch


def free_port(wanted: int, variable: str) -> int:
    """wanted, when nothing listens there (variable: the make variable that changes it)."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)   # as the servers bind it
        try:
            s.bind(("127.0.0.1", wanted))
            return wanted
        except OSError:
            raise Abort(f"端口 {wanted} 已被占用（也许 make edit 已经在运行）；"
                        f"请换一个端口，例如 make edit {variable}={wanted + 1}") from None


def cms_branches(root: Path) -> list:
    out = git("for-each-ref", "--format=%(refname:short)", f"refs/heads/{BRANCH_PREFIX}", cwd=root)
    return [b for b in out.split() if b.startswith(BRANCH_PREFIX)]


def branch_status(root: Path, branch: str) -> str:
    label = git("config", f"branch.{branch}.description", cwd=root, check=False).strip()
    status = label.split("/", 1)[1] if "/" in label else label
    return STATUS_TITLES.get(status, status or "草稿")


def changed_files(root: Path, base: str, branch: str) -> list:
    out = git("diff", "--name-only", "--no-renames", f"{base}...{branch}", "--", "content", cwd=root, check=False)
    return [line for line in out.splitlines() if line]


def branch_documents(root: Path, base: str) -> list:
    """(branch, path, 索引号) of each document waiting on a cms/ branch."""
    out = []
    for branch in cms_branches(root):
        for name in changed_files(root, base, branch):
            if not name.endswith(".md"):
                continue
            text = git("show", f"{branch}:{name}", cwd=root, check=False)
            try:
                meta = yaml.safe_load(text.split("---", 2)[1]) if text.startswith("---") else None
            except (yaml.YAMLError, IndexError):
                meta = None
            value = meta.get("index_no") if isinstance(meta, dict) else None
            if isinstance(value, str):
                out.append((branch, name, value))
    return out


def taken_on_branches(root: Path, base: str) -> list:
    """The 索引号 of the documents waiting on cms/ branches: not free for a new entry."""
    return [value for _branch, _name, value in branch_documents(root, base)]


def index_no_problem(root: Path, base: str, conf: dict, value: str, own: str | None, today: date) -> str | None:
    """The catalogue's duplicate_index_no message when another document, published or
    waiting on a cms/ branch, has this 索引号 (own: the entry's own path, not counted)."""
    docs = read_tree(root / "content", conf)
    users = [(str(Path(d.path).resolve().relative_to(root.resolve())), "已发布") for d in docs
             if d.meta.get("index_no") == value]
    waiting = branch_documents(root, base)
    users += [(name, f"待审核，分支 {branch}") for branch, name, number in waiting if number == value]
    users = [(path, reason) for path, reason in users if path != own]
    if not users:
        return None
    year = (split_index_no(value) or (None, today.year))[1]
    free = next_index_no(conf["GONGKAI_ORG_CODE"], year, docs=docs, taken=[n for _b, _p, n in waiting])
    path, reason = users[0]
    return messages.message("duplicate_index_no", {"value": value, "other": path, "reason": reason, "next": free})


def new_entry_defaults(root: Path, base: str, conf: dict, today: date) -> dict:
    """{type: {field: value}} as make new offers them: today's date, the next free 索引号
    (above every number in content/ and on the editor's branches) and the type's body
    template, whose 【待填写】 lines make check reports until they are written."""
    docs = read_tree(root / "content", conf)
    taken = taken_on_branches(root, base)
    number = next_index_no(conf["GONGKAI_ORG_CODE"], today.year, docs=docs, taken=taken)
    return {t: {"index_no": number, "date": today.isoformat(), "body": body_skeleton(t, {}).strip()}
            for t in schema.TYPES}


def check_branch(root: Path, base: str, branch: str) -> dict:
    """make check on a cms/ branch, in a scratch worktree (the editor's own checkout is
    left alone): {branch, status, files, ok, output}."""
    files = changed_files(root, base, branch)
    result = {"branch": branch, "status": branch_status(root, branch), "files": files}
    with tempfile.TemporaryDirectory(prefix="gongkai-edit-check-") as tmp:
        work = Path(tmp) / "work"
        git("worktree", "add", "-q", "--detach", str(work), branch, cwd=root)
        try:
            if not (work / ".venv").exists():
                (work / ".venv").symlink_to((root / ".venv").resolve())
            python = root / ".venv" / "bin" / "python"
            done = subprocess.run([str(python), str(work / "scripts" / "check.py"), "--base", base, *files],
                                  cwd=work, capture_output=True, text=True, timeout=600)
            result["ok"] = done.returncode == 0
            result["output"] = (done.stdout + done.stderr).strip()
        finally:
            git("worktree", "remove", "--force", str(work), cwd=root, check=False)
    return result


def check_page(results: list) -> str:
    from html import escape
    parts = ["<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>待审核的修改：检查结果</title>",
             "<link rel=\"stylesheet\" href=\"/admin/editor.css\"></head><body class=\"gk-check\"><main>",
             "<h1>待审核的修改：make check 的结果</h1>",
             "<p><a href=\"/admin/\">返回编辑器</a>。每条信息保存在自己的分支上；审核时运行 "
             "<code>make review-summary BASE=main</code>，合并后运行 <code>make publish</code>。</p>"]
    if not results:
        parts.append("<p>没有待审核的修改。</p>")
    for r in results:
        verdict = "通过检查" if r["ok"] else "未通过检查"
        parts.append(f"<section><h2>{escape(r['branch'])}（{escape(r['status'])}，{verdict}）</h2>"
                     f"<p>文件：{escape('、'.join(r['files']) or '无')}</p>"
                     f"<pre>{escape(r['output'] or '没有发现问题。')}</pre></section>")
    parts.append("</main></body></html>")
    return "".join(parts)


class EditorServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, *, root: Path, base: str, proxy_url: str, conf: dict, today: date):
        super().__init__(address, Handler)
        self.root, self.base, self.proxy_url, self.conf, self.today = root, base, proxy_url, conf, today
        self.check_lock = threading.Lock()

    def handle_error(self, request, client_address):
        """A browser that went away mid-answer is not news; anything else is one line, no traceback."""
        err = sys.exc_info()[1]
        if not isinstance(err, ConnectionError):
            print(messages.message("internal_error", {"detail": f"{type(err).__name__}: {err}"}), file=sys.stderr)


class Handler(http.server.BaseHTTPRequestHandler):
    server: EditorServer

    def log_message(self, *args):
        pass

    def send(self, status: int, body: bytes, ctype: str, cache: bool = False):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=3600" if cache else "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        try:
            self.answer()
        except ConnectionError:
            pass
        except Exception as err:   # one Chinese line in the browser and the terminal, never a traceback
            text = messages.message("internal_error", {"detail": str(err) if isinstance(err, Abort)
                                                       else f"{type(err).__name__}: {err}"})
            print(text, file=sys.stderr)
            self.send(500, text.encode(), "text/plain; charset=utf-8")

    def answer(self):
        url = urllib.parse.urlsplit(self.path)
        path = url.path
        srv = self.server
        if path in ("/", "/admin"):
            self.send_response(302)
            self.send_header("Location", "/admin/")
            self.end_headers()
            return
        if path == "/admin/":
            return self.file(EDITOR_DIR / "index.html")
        if path == "/admin/config.yml":
            text = editor.served(editor.render(srv.conf), proxy_url=srv.proxy_url, branch=srv.base,
                                 defaults=new_entry_defaults(srv.root, srv.base, srv.conf, srv.today))
            return self.send(200, text.encode(), "text/yaml; charset=utf-8")
        if path == "/admin/api/index-no":
            query = urllib.parse.parse_qs(url.query)
            value = (query.get("value") or [""])[0]
            collection, slug = (query.get("collection") or [""])[0], (query.get("slug") or [""])[0]
            own = f"content/{collection}/{slug}.md" if collection in schema.TYPES and slug else None
            problem = index_no_problem(srv.root, srv.base, srv.conf, value, own, srv.today) if value else None
            return self.send(200, json.dumps({"problem": problem}, ensure_ascii=False).encode(),
                             "application/json; charset=utf-8")
        if path == "/admin/collections.json":
            return self.send(200, json.dumps(list(schema.TYPES)).encode(), "application/json")
        if path in ("/admin/check/", "/admin/api/check"):
            query = urllib.parse.parse_qs(url.query)
            wanted = query.get("branch")
            if not wanted and query.get("collection") and query.get("slug"):
                wanted = [f"{BRANCH_PREFIX}{query['collection'][0]}/{query['slug'][0]}"]
            branches = [b for b in cms_branches(srv.root) if not wanted or b in wanted]
            with srv.check_lock:   # one check at a time: two cores, many staff clicks
                results = [check_branch(srv.root, srv.base, b) for b in branches]
            if path == "/admin/check/":
                return self.send(200, check_page(results).encode(), "text/html; charset=utf-8")
            return self.send(200, json.dumps(results, ensure_ascii=False).encode(), "application/json; charset=utf-8")
        name = path[len("/admin/"):] if path.startswith("/admin/") else ""
        if name and "/" not in name and not name.startswith("."):
            own = EDITOR_DIR / name
            if own.is_file() and own.suffix in (".js", ".css"):
                return self.file(own)
            dist = DIST / name
            if dist.is_file() and not name.endswith(".map"):
                return self.file(dist, cache=True)
        self.send(404, "找不到这个地址".encode(), "text/plain; charset=utf-8")

    def file(self, path: Path, cache: bool = False):
        ctype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if ctype.startswith("text/") or ctype.endswith("javascript"):
            ctype += "; charset=utf-8"
        self.send(200, path.read_bytes(), ctype, cache)


def start_proxy(root: Path, port: int) -> subprocess.Popen:
    env = dict(os.environ, MODE="git", GIT_REPO_DIRECTORY=str(root), PORT=str(port), BIND_HOST="127.0.0.1",
               LOG_LEVEL=os.environ.get("DECAP_LOG_LEVEL", "warn"),
               # decap-server reads `git diff` output: file names such as 防汛应急预案.pdf must not come quoted
               GIT_CONFIG_COUNT="1", GIT_CONFIG_KEY_0="core.quotepath", GIT_CONFIG_VALUE_0="false")
    proc = subprocess.Popen(["node", str(SERVER_JS)], cwd=root, env=env, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise Abort(f"decap-server 没能启动（退出码 {proc.returncode}，原因见上面的输出）")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return proc
        time.sleep(0.2)
    proc.terminate()
    raise Abort("decap-server 在 60 秒内没有启动；请重试")


def stop(proc: subprocess.Popen):
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="在浏览器中编辑信息（Decap CMS）：每条信息一个分支、一个提交。")
    parser.add_argument("--port", type=int, default=8010, help="编辑器网页的端口（默认 8010）")
    parser.add_argument("--proxy-port", type=int, default=8081, help="decap-server 的端口（默认 8081）")
    parser.add_argument("--write-config", action="store_true", help="由 metadata_schema/ 重新生成 editor/config.yml")
    parser.add_argument("--check-config", action="store_true", help="editor/config.yml 不是最新时退出码为 1")
    args = parser.parse_args(argv)
    conf = settings_mod.load()
    text = editor.render(conf)
    if args.write_config:
        editor.CONFIG_PATH.write_text(text, encoding="utf-8")
        print(f"已生成 {editor.CONFIG_PATH.relative_to(ROOT)}")
        return 0
    current = editor.CONFIG_PATH.read_text(encoding="utf-8") if editor.CONFIG_PATH.exists() else ""
    if args.check_config:
        if current != text:
            print("editor/config.yml 与 metadata_schema/ 不一致；请运行 python3 scripts/edit.py --write-config 并提交",
                  file=sys.stderr)
            return 1
        return 0
    try:
        if current != text:
            raise Abort("editor/config.yml 与 metadata_schema/ 不一致；请运行 python3 scripts/edit.py --write-config 并提交")
        base = preflight(ROOT)
        port, proxy_port = free_port(args.port, "EDIT_PORT"), free_port(args.proxy_port, "EDIT_PROXY_PORT")
        proxy = start_proxy(ROOT, proxy_port)
    except Abort as err:
        print(str(err), file=sys.stderr)
        return 1
    today = settings_mod.asof(conf).date()
    server = EditorServer(("127.0.0.1", port), root=ROOT, base=base,
                          proxy_url=f"http://127.0.0.1:{proxy_port}/api/v1", conf=conf, today=today)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    print(f"编辑器已启动：请用浏览器打开 http://127.0.0.1:{port}/admin/（按 Ctrl+C 停止）", flush=True)
    print(f"每条新建或修改的信息保存在分支 cms/类型/文件名 上；检查结果见 http://127.0.0.1:{port}/admin/check/", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        stop(proxy)
    print("编辑器已停止。")
    return 0
