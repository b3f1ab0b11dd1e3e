#!/usr/bin/env bash
# The Debian packages a make target needs besides .venv (make test: the browser,
# nginx and accessibility tests; make bench: also wrk; venv: Debian's python3
# without its venv module). Called by the Makefile before the target's work starts:
#
#   scripts/system_packages.sh test     # or: bench, venv
#
# Everything present: silent, and quick (a `command -v` or a file test per
# package; no apt-get). Something missing: installs it with apt-get when running
# as root or with a working passwordless sudo (`sudo -n true`), saying in Chinese
# what and why first; otherwise prints one Chinese line with the exact command to
# run and exits 1, so no test starts without what it needs.
#
# Each package is recognised by the command it puts on PATH or a file it
# installs, and root by `id -u`: a test can hide a package or the root
# account with PATH alone (tests/test_system_packages.py).
set -uo pipefail

target="${1:-test}"

# package | how to tell it is installed (cmd:NAME on PATH, file:PATH, or py:MODULE
# importable by $PY, the python3 the Makefile makes .venv with) | why
case "$target" in
    test) purpose="运行测试" wanted=(
        "chromium|cmd:chromium|浏览器测试"
        "fonts-wqy-microhei|file:/usr/share/fonts/truetype/wqy/wqy-microhei.ttc|截图中的中文字体"
        "nginx|file:/usr/sbin/nginx|按正式服务器的配置测试发布的网站"
        "libnginx-mod-http-brotli-static|file:/usr/lib/nginx/modules/ngx_http_brotli_static_module.so|nginx 发送预压缩的 .br 文件"
        "npm|cmd:npm|安装无障碍检查工具 axe-core"
        "curl|cmd:curl|测试 GitLab 合并请求评论的发布步骤"
    ) ;;
    bench) purpose="测量速度（make bench）" wanted=(
        "chromium|cmd:chromium|测量网站搜索的速度"
        "nginx|file:/usr/sbin/nginx|测量发布后的网站速度"
        "libnginx-mod-http-brotli-static|file:/usr/lib/nginx/modules/ngx_http_brotli_static_module.so|nginx 发送预压缩的 .br 文件"
        "wrk|cmd:wrk|测量 nginx 的吞吐量"
    ) ;;
    venv) purpose="创建 .venv 时" wanted=(
        "python3-venv|py:ensurepip|用 ${PY:-python3} 创建 .venv，Debian 把这部分从 python3 中分了出来"
    ) ;;
    *) echo "用法：scripts/system_packages.sh test|bench|venv（不认识“$target”）" >&2; exit 2 ;;
esac

present() {
    case "$1" in
        cmd:*) command -v "${1#cmd:}" >/dev/null 2>&1 ;;
        file:*) [ -e "${1#file:}" ] ;;
        py:*) "${PY:-python3}" -c "import ${1#py:}" >/dev/null 2>&1 ;;
    esac
}

missing=() reasons=()
check() {
    missing=() reasons=()
    local entry package probe why
    for entry in "${wanted[@]}"; do
        IFS='|' read -r package probe why <<<"$entry"
        if ! present "$probe"; then
            missing+=("$package")
            reasons+=("$package（$why）")
        fi
    done
}

check
[ ${#missing[@]} -eq 0 ] && exit 0

list=$(IFS='、'; echo "${reasons[*]}")
command_line="sudo apt-get install -y --no-install-recommends ${missing[*]}"

if ! command -v apt-get >/dev/null 2>&1; then
    echo "缺少${purpose}需要的软件：$list；本机没有 apt-get，请用系统的软件包管理器安装 ${missing[*]}，再重新运行刚才的命令" >&2
    exit 1
fi

if [ "$(id -u)" = 0 ]; then
    as_root=()
elif sudo -n true >/dev/null 2>&1; then
    as_root=(sudo)
else
    echo "缺少${purpose}需要的 Debian 软件包：$list；没有 root 权限，也没有免密码的 sudo，不能自动安装。请先运行：$command_line，再重新运行刚才的命令" >&2
    exit 1
fi

echo "${purpose}需要以下 Debian 软件包，现在用 apt-get 安装（只需一次，可能要几分钟）：$list" >&2
log=$(mktemp "${TMPDIR:-/tmp}/gongkai-apt.XXXXXX")
if ! { "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q &&
       "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
    echo "安装没有成功（apt-get 的输出见 $log）；请检查网络和软件源后手动运行：$command_line，再重新运行刚才的命令" >&2
    exit 1
fi
rm -f "$log"

installed=$(IFS='、'; echo "${missing[*]}")
check
if [ ${#missing[@]} -ne 0 ]; then
    echo "apt-get 已运行，但仍缺少：$(IFS='、'; echo "${reasons[*]}")；请手动安装后再重新运行刚才的命令" >&2
    exit 1
fi
echo "已安装：$installed" >&2
