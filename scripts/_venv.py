"""Imported first by every scripts/*.py, so that `python3 scripts/X.py …` works
as typed from any shell: a python that is not this checkout's .venv/bin/python
(Debian's /usr/bin/python3, pyenv's, another venv's) starts the script again
with .venv/bin/python, the same arguments and the same environment. When .venv
is missing or older than pyproject.toml, `make venv` makes it first (said in
Chinese before it starts). In .venv, this checkout's gongkai package is imported
even when .venv is shared with another checkout (a symlink)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
PYTHON = VENV / "bin" / "python"
# Set before starting again: a .venv whose python still is not "in" it must not loop.
_AGAIN = "GONGKAI_SCRIPT_RESTARTED"


def _in_venv() -> bool:
    return sys.prefix != sys.base_prefix and Path(sys.prefix).resolve() == VENV.resolve()


def _make_venv():
    """Run `make venv` when .venv is missing or stale; exit with one Chinese line when it fails."""
    try:
        fresh = subprocess.run(["make", "-s", "-C", str(ROOT), "-q", "venv"], capture_output=True).returncode == 0
        if fresh:
            return
        if PYTHON.exists():
            say = f"{VENV} 中的 Python 依赖不是最新的（pyproject.toml 改过）：正在运行 make venv 更新……"
        else:
            say = f"还没有 {VENV}：正在运行 make venv 创建它，并安装本项目的 Python 依赖（约需 1 分钟，只需一次）……"
        print(say, file=sys.stderr, flush=True)
        done = subprocess.run(["make", "--no-print-directory", "-C", str(ROOT), "venv"], stdout=sys.stderr)
    except OSError:
        sys.exit("找不到 make，不能创建 .venv；请先安装：sudo apt-get install make，再重新运行刚才的命令")
    if done.returncode != 0:
        sys.exit(f"没能创建 {VENV}（原因见上面的输出）；解决后在 {ROOT} 中运行 make venv，再重新运行刚才的命令")


if _in_venv():
    os.environ.pop(_AGAIN, None)
    # Last on the path: found before the editable install's finder (which comes after
    # every path entry), without shadowing anything else.
    sys.path.append(str(ROOT))
elif not os.environ.get(_AGAIN):
    _make_venv()
    os.environ[_AGAIN] = "1"
    argv = getattr(sys, "orig_argv", None) or [sys.executable, *sys.argv]
    try:
        os.execv(PYTHON, [str(PYTHON), *argv[1:]])
    except OSError as err:
        sys.exit(f"不能运行 {PYTHON}（{err.strerror}）；请删除 {VENV} 后运行 make venv，再重新运行刚才的命令")
