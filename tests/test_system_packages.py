"""make test installs the Debian packages the tests use (scripts/system_packages.sh):
silent when they are there; installed with apt-get as root or with passwordless
sudo, said in Chinese first; otherwise one Chinese line with the command to run,
and no test starts. The machine's packages are never touched here: a package is
hidden by leaving it off PATH, and apt-get, sudo and id are stand-ins on PATH
that record what they were asked to do."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT

SCRIPT = ROOT / "scripts" / "system_packages.sh"
SYSTEM_DIRS = ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")
NO_SUDO_LINE = ("缺少运行测试需要的 Debian 软件包：chromium（浏览器测试）；没有 root 权限，也没有免密码的 sudo，不能自动安装。"
                "请先运行：sudo apt-get install -y --no-install-recommends chromium，再重新运行刚才的命令")


@pytest.fixture(scope="module")
def without_chromium(tmp_path_factory) -> Path:
    """A folder holding every command on PATH (and in the system's folders) except chromium."""
    folder = tmp_path_factory.mktemp("path-without-chromium")
    for system in (*os.environ["PATH"].split(os.pathsep), *SYSTEM_DIRS):
        if not system or not os.path.isdir(system):
            continue
        for name in os.listdir(system):
            if name != "chromium" and not (folder / name).exists():
                (folder / name).symlink_to(Path(system) / name)
    return folder


def stand_in(folder: Path, name: str, body: str):
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text("#!/bin/sh\n" + body, encoding="utf-8")
    path.chmod(0o755)


@pytest.fixture
def fakes(tmp_path):
    """Stand-ins for id, sudo and apt-get, first on PATH; calls are logged to calls.log."""
    folder, log = tmp_path / "fakes", tmp_path / "calls.log"
    installed = tmp_path / "installed"   # where the fake apt-get "installs" a command

    def make(uid: int, sudo: str | None = None, apt_fails: bool = False):
        stand_in(folder, "id", f'[ "$1" = -u ] && echo {uid} && exit 0\nexec /usr/bin/id "$@"\n')
        if sudo == "refuses":
            stand_in(folder, "sudo", f'echo "sudo $*" >> {log}\necho "sudo: a password is required" >&2\nexit 1\n')
        elif sudo == "passwordless":
            stand_in(folder, "sudo", f'echo "sudo $*" >> {log}\n[ "$*" = "-n true" ] && exit 0\nexec "$@"\n')
        stand_in(folder, "apt-get", (
            f'echo "apt-get $* DEBIAN_FRONTEND=$DEBIAN_FRONTEND" >> {log}\n'
            + ("exit 100\n" if apt_fails else
               f'if [ "$1" = install ]; then mkdir -p {installed}; '
               f'printf "#!/bin/sh\\n" > {installed}/chromium; chmod +x {installed}/chromium; fi\n')))
        return os.pathsep.join([str(folder), str(installed)])

    return make, log


def clean_env(path: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    env["PATH"] = path
    return env


def calls(log: Path) -> list[str]:
    return log.read_text(encoding="utf-8").splitlines() if log.exists() else []


def test_without_root_or_sudo_make_test_stops_with_one_line_before_any_test(without_chromium, fakes):
    make, log = fakes
    path = make(uid=1000, sudo="refuses") + os.pathsep + str(without_chromium)
    result = subprocess.run(["make", "test"], cwd=ROOT, env=clean_env(path), capture_output=True, text=True,
                            timeout=600)
    assert result.returncode != 0
    ours = [line for line in (result.stdout + result.stderr).splitlines() if not line.startswith("make: ***")]
    assert ours == [NO_SUDO_LINE]         # in particular no pytest command line: no test started
    assert [c for c in calls(log) if c.startswith("apt-get")] == []


def test_everything_present_is_silent_and_runs_no_package_tool(tmp_path):
    # Quick because it only looks: no apt-get (whose update alone takes seconds), no sudo.
    log = tmp_path / "calls.log"
    for name in ("apt-get", "sudo", "dpkg", "dpkg-query"):
        stand_in(tmp_path / "fakes", name, f'echo "{name} $*" >> {log}\nexit 1\n')
    path = os.pathsep.join([str(tmp_path / "fakes"), os.environ["PATH"]])
    result = subprocess.run([str(SCRIPT), "test"], env=clean_env(path), capture_output=True, text=True, timeout=120)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    assert calls(log) == []


def test_as_root_a_missing_package_is_installed_and_said_in_chinese_first(without_chromium, fakes):
    make, log = fakes
    path = make(uid=0) + os.pathsep + str(without_chromium)
    result = subprocess.run([str(SCRIPT), "test"], env=clean_env(path), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        "运行测试需要以下 Debian 软件包，现在用 apt-get 安装（只需一次，可能要几分钟）：chromium（浏览器测试）",
        "已安装：chromium"]
    assert calls(log) == ["apt-get update -q DEBIAN_FRONTEND=noninteractive",
                          "apt-get install -y -q --no-install-recommends chromium DEBIAN_FRONTEND=noninteractive"]


def test_with_passwordless_sudo_apt_get_runs_through_sudo(without_chromium, fakes):
    make, log = fakes
    path = make(uid=1000, sudo="passwordless") + os.pathsep + str(without_chromium)
    result = subprocess.run([str(SCRIPT), "test"], env=clean_env(path), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines()[-1] == "已安装：chromium"
    assert calls(log) == ["sudo -n true",
                          "sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q",
                          "apt-get update -q DEBIAN_FRONTEND=noninteractive",
                          "sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium",
                          "apt-get install -y -q --no-install-recommends chromium DEBIAN_FRONTEND=noninteractive"]


def test_a_failed_install_says_where_the_log_is_and_what_to_run(without_chromium, fakes):
    make, log = fakes
    path = make(uid=0, apt_fails=True) + os.pathsep + str(without_chromium)
    env = dict(clean_env(path), TMPDIR=str(log.parent))
    result = subprocess.run([str(SCRIPT), "test"], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    last = result.stderr.splitlines()[-1]
    assert last.startswith(f"安装没有成功（apt-get 的输出见 {log.parent}/gongkai-apt.")
    assert last.endswith("；请检查网络和软件源后手动运行：sudo apt-get install -y --no-install-recommends chromium，"
                         "再重新运行刚才的命令")
    assert "Traceback" not in result.stderr
