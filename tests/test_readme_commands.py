"""Every command line the README (and the Chinese guides in docs/ it sends staff,
reviewers and operators to) shows works as typed on a fresh clone: each
`make …` and `python3 scripts/….py …` in its code blocks and code spans runs in
a clone of this checkout (with its uncommitted work) and ends without a
traceback, a ModuleNotFoundError or an English error line. Lines that would
build the whole site, serve until Ctrl+C, install packages or run this very
suite are run as `make -n`; scripts that would do so, with --help. A script
typed with a python that is not the project's (Debian's /usr/bin/python3)
makes .venv by itself and then works."""
from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT

# The README and the guides it sends readers to: every command line any of them shows is run.
GUIDES = ("README.md", "docs/staff.md", "docs/review.md", "docs/operations.md")
README = (ROOT / "README.md").read_text(encoding="utf-8")
TEXT = "\n".join((ROOT / name).read_text(encoding="utf-8") for name in GUIDES)
COMMAND = re.compile(r"^(?:[A-Z_]+=\S+\s+)*(?:make(?:\s|$)|python3? scripts/\w+\.py)")
# Placeholders the reader replaces: …, <release>, [--option VALUE], OUTPUT (and scripts/X.py,
# which names every script and is left out).
PLACEHOLDER = re.compile(r"…|<[^>]*>|\[[^\]]*\]|\bOUTPUT\b")

# How each make target is run: "typed" as written (it must exit 0); "dry" as `make -n`
# (it builds the whole site, serves until Ctrl+C, installs, or is this suite itself).
MAKE_TARGETS = {
    "": "typed", "help": "typed", "venv": "typed", "check": "typed", "search": "typed", "new": "typed",
    "import": "typed", "review-summary": "typed", "releases": "typed", "schedule": "typed",
    "html": "dry", "serve": "dry", "devserver": "dry", "clean": "dry", "publish": "dry", "rollback": "dry",
    "bench": "dry", "test": "dry", "setup": "dry", "edit": "dry",
}
# Scripts: "typed", or "help" (--help) when as written they would build, serve or ask questions.
# search.py exits 1 when nothing is found (like grep); make search exits 0 then.
SCRIPTS = {"search.py": "typed", "import_html.py": "typed", "review_summary.py": "typed", "linkcheck.py": "typed",
           "gen_docs.py": "typed", "publish.py nginx-conf": "typed", "publish.py": "help", "build.py": "help",
           "new.py": "help", "edit.py": "typed"}
ALLOWED_EXIT = {"search.py": (0, 1)}
# Named without their arguments in the text: make search needs Q=, make import ARGS=, and
# make new alone asks its questions on a terminal.
BARE = {"make new", "make search", "make import"}
BARE_SCRIPTS = {"search.py", "import_html.py"}   # likewise, when named alone
# The README's stand-ins for staff's own files: the same kind of file, put where the line expects it.
PAGES = FIXTURES / "import"
FILES = {
    "页面.html": PAGES / "govcn-2018-holidays-fragment.gbk-reencoded.html",
    "旧 页面.html": PAGES / "govcn-2018-holidays-fragment.gbk-reencoded.html",
    "page.html": PAGES / "pingtan-2015-work-injury-page.gbk-reencoded-utf8-declared.html",
    "旧网站保存的页面/yanshou-2018-execution-seed.txt": PAGES / "yanshou-2018-execution-seed.gb18030-reencoded.txt",
}
WORDS = {"content/policy/xxx.md": "content/policy/yanzhengfa-2018-10-executive-capacity.md",
         "content/policy/x.md": "content/policy/yanzhengfa-2018-10-executive-capacity.md",
         "分支名": "HEAD"}
ENGLISH_ERROR = re.compile(r"(?i)traceback|error|exception|no such file|not found|no module|cannot|can't|failed|"
                           r"invalid|denied|usage:")
CJK = re.compile(r"[\u3400-\u9fff]")
GIT = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.invalid"]


def readme_commands(text: str) -> list[str]:
    """Command lines in code blocks (continuations joined, comments dropped) and code spans, in order, once each."""
    found, fence, pending = [], False, ""
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("```"):
            fence = not fence
            continue
        if fence:
            line = (pending + " " + line).strip() if pending else line
            if line.endswith("\\"):
                pending = line[:-1].strip()
                continue
            pending = ""
            candidates = [re.sub(r"\s+#\s.*$", "", line)]
        else:
            candidates = re.findall(r"`([^`]+)`", raw)
        found += [c.strip() for c in candidates if COMMAND.match(c.strip()) and "scripts/X.py" not in c]
    return list(dict.fromkeys(found))


def plan(line: str) -> tuple[str, str, tuple]:
    """(mode, command line to run, allowed exit codes) for a README line."""
    line = re.sub(r"\s+>\s+/etc/\S+$", "", line)       # the config goes to stdout instead of /etc
    for word, real in WORDS.items():
        line = line.replace(word, real)
    script = re.search(r"python3? scripts/(\w+\.py)(?:\s+(\S+))?", line)
    if script:
        name, first = script.groups()
        key = f"{name} {first}" if f"{name} {first}" in SCRIPTS else name
        assert key in SCRIPTS, f"the README shows scripts/{name}: add it to SCRIPTS"
        mode = SCRIPTS[key]
        if mode == "help" or PLACEHOLDER.search(line) or (not first and name in BARE_SCRIPTS):
            head = line[:script.end(1)]
            return "help", f"{head} --help", (0,)
        return "typed", line, ALLOWED_EXIT.get(name, (0,))
    words = shlex.split(line) if not PLACEHOLDER.search(line) else line.split()
    targets = [w for w in words[words.index("make") + 1:] if "=" not in w] or [""]
    for target in targets:
        assert target in MAKE_TARGETS, f"the README shows make {target}: add it to MAKE_TARGETS"
    if PLACEHOLDER.search(line):
        return "dry", "make -n " + " ".join(targets), (0,)
    if line in BARE or any(MAKE_TARGETS[t] == "dry" for t in targets):
        return "dry", re.sub(r"\bmake\b", "make -n", line, count=1), (0,)
    return "typed", line, (0,)


COMMANDS = readme_commands(TEXT)


def git(cwd: Path, *args) -> str:
    return subprocess.run([*GIT, "-C", str(cwd), *args], capture_output=True, text=True, check=True).stdout


def clean_env(**extra) -> dict:
    """The environment a reader's shell has: no make of ours around it, and no PYTHONPATH (one naming
    this checkout would have the clone's commands import, and write into, this checkout)."""
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "PYTHONPATH")}
    return {**env, **extra}


def fresh_clone(target: Path) -> Path:
    """git clone of this checkout, plus its uncommitted work as one more commit (so each command's
    changes can be undone with git), and main as a local branch, as in a staff member's clone."""
    git(ROOT, "status", "--porcelain")        # refreshes the index: ls-files below sees every edit
    subprocess.run([*GIT, "clone", "-q", str(ROOT), str(target)], check=True)
    for rel in git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0"):
        if not rel:
            continue
        src, dst = ROOT / rel, target / rel
        if src.is_file():
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)
        elif dst.is_file():
            dst.unlink()                       # deleted here, not yet committed
    git(target, "add", "-A")
    git(target, "commit", "-q", "--allow-empty", "-m", "Uncommitted work")
    base = next((ref for ref in ("main", "origin/main") if subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "-q", "--verify", ref + "^{commit}"], capture_output=True).returncode == 0),
        "HEAD")
    git(target, "fetch", "-q", str(ROOT), f"+{git(ROOT, 'rev-parse', base).strip()}:refs/remotes/origin/main")
    if git(target, "branch", "--show-current").strip() != "main":
        git(target, "branch", "-f", "main", "origin/main")
    return target


@pytest.fixture(scope="module")
def clone(tmp_path_factory, site):
    """A fresh clone sharing the test run's .venv; output/ is the built site (for linkcheck)."""
    venv = Path(sys.prefix)
    stamp = venv / ".installed"
    if not stamp.is_file():
        pytest.skip("needs the .venv made by make venv (make test runs the tests in it)")
    work = fresh_clone(tmp_path_factory.mktemp("readme") / "clone")
    (work / ".venv").symlink_to(venv)
    (work / "output").symlink_to(site)
    # make reinstalls .venv when pyproject.toml is newer than .venv/.installed: never from this
    # clone (that would point the shared .venv's `import gongkai` at this temporary folder).
    os.utime(work / "pyproject.toml", (0, 0))
    before = stamp.stat().st_mtime_ns, git(ROOT, "status", "--porcelain")
    yield work
    assert (stamp.stat().st_mtime_ns, git(ROOT, "status", "--porcelain")) == before, \
        "a README command changed the shared .venv or this checkout instead of the clone"


def english_errors(text: str) -> list[str]:
    return [line for line in text.splitlines() if not CJK.search(line) and ENGLISH_ERROR.search(line)]


@pytest.mark.parametrize("line", COMMANDS)
def test_readme_command_works_as_typed(clone, line):
    mode, command, allowed = plan(line)
    for rel, source in FILES.items():
        if rel.split("/")[0] in command:
            (clone / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, clone / rel)
    # Never let make reinstall the shared .venv from this clone (see the fixture).
    assert subprocess.run(["make", "-q", "venv"], cwd=clone, env=clean_env(), capture_output=True).returncode == 0
    try:
        result = subprocess.run(["bash", "-c", command], cwd=clone, env=clean_env(), stdin=subprocess.DEVNULL,
                                capture_output=True, text=True, timeout=600)
    finally:
        # Undo what the command wrote. The refresh first: checkout rewrites a file whose
        # mtime differs from the index's, and would make pyproject.toml new again.
        git(clone, "update-index", "-q", "--refresh")
        git(clone, "checkout", "-q", "--", ".")
        git(clone, "clean", "-fdq", "-e", ".venv", "-e", "output")   # the symlinks stay
    output = result.stdout + result.stderr
    assert "Traceback" not in output and "ModuleNotFoundError" not in output, f"{command}\n{output}"
    assert result.returncode in allowed, f"{mode}: {command} exited {result.returncode}\n{output}"
    assert english_errors(result.stderr) == [], f"{mode}: {command}\n{output}"
    if mode == "help":
        assert "usage:" in result.stdout


def test_the_readme_shows_the_commands_staff_type():
    # The extraction itself: a README rewrite must not hide the commands from the test above.
    # The daily-work table stays in the README itself.
    assert {"make serve", "make test", "make check", "make new", 'make search Q="营商环境 issuer:县财政局"',
            'make import ARGS="页面.html --type policy"'} <= set(readme_commands(README))
    assert {"make serve", "make test", "make check", "make new", 'make search Q="营商环境 issuer:县财政局"',
            'make import ARGS="页面.html --type policy"'} <= set(COMMANDS)
    assert any(c.startswith("python3 scripts/search.py ") for c in COMMANDS)


def test_make_search_takes_the_query_as_typed_and_no_hits_is_not_a_make_error(clone):
    # $ reaches the search as typed (make used to expand $H to nothing), and the query
    # that finds nothing ends with 没有找到 and exit 0, without make's English "Error 1".
    result = subprocess.run(["make", "-s", "search", "Q=$HOME 营商环境"], cwd=clone, env=clean_env(),
                            capture_output=True, text=True, timeout=600)
    assert (result.returncode, result.stdout.strip(), result.stderr) == (
        0, "没有找到符合条件的文件。可以换一个词，或去掉部分条件。", "")
    seen = subprocess.run(["make", "-s", "--eval", 'show: ; @printf "%s" "$$SEARCH_QUERY"', "show", "Q=$HOME $(x) `id`"],
                          cwd=clone, env=clean_env(), capture_output=True, text=True, timeout=600)
    assert seen.stdout == "$HOME $(x) `id`"
    bad = subprocess.run(["make", "-s", "search", "Q=title:"], cwd=clone, env=clean_env(),
                         capture_output=True, text=True, timeout=600)
    assert bad.returncode == 0 and "没有找到" in bad.stdout


def test_a_script_typed_with_debians_python_makes_venv_first(tmp_path):
    """No .venv yet, Debian's python3 without the project's packages: the script says in
    Chinese that it is making .venv, makes it (make venv), and then does its work."""
    system_python = shutil.which("python3", path="/usr/bin:/bin")
    if not system_python:
        pytest.skip("no python3 in /usr/bin")
    work = fresh_clone(tmp_path / "clone")
    env = clean_env(PATH="/usr/local/bin:/usr/bin:/bin")
    env.pop("VIRTUAL_ENV", None)
    assert subprocess.run([system_python, "-c", "import pelican"], env=env, capture_output=True).returncode != 0, \
        "Debian's python3 has the project's packages: this test would prove nothing"
    result = subprocess.run([system_python, "scripts/search.py", "营商环境"], cwd=work, env=env,
                            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr.splitlines()[0] == (f"还没有 {work}/.venv：正在运行 make venv 创建它，"
                                             "并安装本项目的 Python 依赖（约需 1 分钟，只需一次）……")
    assert "Traceback" not in result.stderr and "ModuleNotFoundError" not in result.stderr
    assert "content/policy/" in result.stdout and result.stdout.strip().endswith("个文件。")
    assert (work / ".venv" / ".installed").is_file()
    # The second time: straight to the answer, nothing installed.
    again = subprocess.run([system_python, "scripts/search.py", "营商环境"], cwd=work, env=env,
                           stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=600)
    assert (again.returncode, again.stdout) == (0, result.stdout)
    assert again.stderr == ""
