#!/usr/bin/env bash
# Daily rebuild (cron or deploy/gongkai-rebuild.timer): pull, check, publish.
# Solicitations open and close by date, so the site is rebuilt even when
# nothing was committed. Any failure exits non-zero with a line in the log and
# leaves the live release (DEPLOY_DIR/current) exactly as it was: make publish
# switches only after a complete, successful build.
#
#   scripts/rebuild.sh                       # log: $DEPLOY_DIR/rebuild.log
#   REBUILD_LOG=/var/log/gongkai-rebuild.log scripts/rebuild.sh
set -uo pipefail

REPO="$(cd "$(dirname "$0")/.." && pwd)"
cd "$REPO" || exit 2
DEPLOY_DIR="${DEPLOY_DIR:-deploy}"
case "$DEPLOY_DIR" in /*) ;; *) DEPLOY_DIR="$REPO/$DEPLOY_DIR" ;; esac
export DEPLOY_DIR
LOG="${REBUILD_LOG:-$DEPLOY_DIR/rebuild.log}"
MAKE="${MAKE:-make}"
mkdir -p "$(dirname "$LOG")" "$DEPLOY_DIR"

log() { printf '%s %s\n' "$(date '+%Y-%m-%d %H:%M:%S')" "$*" >>"$LOG"; }

# Each step's output goes to the log; on failure the step is named in one line.
step() {
    local what="$1"; shift
    log "开始：$what（$*）"
    if ! "$@" >>"$LOG" 2>&1; then
        log "失败：$what 没有成功，网站保持原样（current 未改变）。详见上面的输出。"
        echo "重建失败：$what 没有成功；网站保持原样。日志：$LOG" >&2
        exit 1
    fi
}

# One rebuild at a time (a slow run must not overlap the next timer).
exec 9>"$DEPLOY_DIR/.rebuild.lock"
if ! flock -n 9; then
    log "跳过：上一次重建还在进行"
    echo "重建跳过：上一次重建还在进行。日志：$LOG" >&2
    exit 1
fi

log "==== 定时重建开始：$REPO"
step "拉取最新提交" git pull --ff-only
step "检查内容" "$MAKE" --no-print-directory check
step "发布" "$MAKE" --no-print-directory publish
# The next rebuilds at each coming opening and closing (deploy/gongkai-schedule.path loads them).
log "开始：安排意见征集开始、截止时的重建（make schedule）"
if ! "$MAKE" --no-print-directory schedule >>"$LOG" 2>&1; then
    log "失败：make schedule 没有成功；新版本已发布，但意见征集开始、截止时不会自动重建。详见上面的输出。"
    echo "重建后安排时刻失败：新版本已发布，但意见征集开始、截止时不会自动重建。日志：$LOG" >&2
    exit 1
fi
# With cron (deploy/crontab sets SCHEDULE_CRONTAB=1): this user's crontab becomes the new one.
if [ "${SCHEDULE_CRONTAB:-}" = 1 ]; then
    step "安装新的 crontab" crontab "$DEPLOY_DIR/schedule/crontab"
fi
log "完成：当前版本 $(readlink "$DEPLOY_DIR/current")"
