"""Both CI definitions (issue 14): valid against the GitHub Actions and GitLab CI
schemas, they run make check and make the review summary on every pull or
merge request, and what posts the summary works: the GitHub step's script runs
in Node against a stand-in for the API, the GitLab step's shell against a
stand-in notes endpoint (the real services are not reachable from a test)."""
from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
import yaml

from conftest import ROOT
from gongkai.commands import review_summary

GITHUB = ROOT / ".github/workflows/check.yml"
GITLAB = ROOT / ".gitlab-ci.yml"
REVIEW_GUIDE = (ROOT / "docs" / "review.md").read_text(encoding="utf-8")


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def github_steps() -> list:
    return load(GITHUB)["jobs"]["check"]["steps"]


def step(steps, pattern) -> dict:
    found = [s for s in steps if re.search(pattern, s.get("run", "") + s.get("uses", ""))]
    assert len(found) == 1, pattern
    return found[0]


@pytest.mark.parametrize("path, schema", [(GITHUB, "vendor.github-workflows"), (GITLAB, "vendor.gitlab-ci")])
def test_ci_definition_is_valid_against_its_schema(path, schema):
    result = subprocess.run([Path(sys.executable).parent / "check-jsonschema", "--builtin-schema", schema, path],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "ok -- validation done"


def test_github_runs_make_check_and_posts_the_summary_on_pull_requests():
    workflow = load(GITHUB)
    assert "pull_request" in workflow[True]           # YAML 1.1 reads the key `on` as true
    assert workflow["permissions"] == {"contents": "read", "pull-requests": "write"}
    steps = github_steps()
    names = [s.get("run", s.get("uses", "")).strip() for s in steps]
    check, test = names.index("make check"), names.index("make test")
    summary = step(steps, r"make review-summary")
    artifact = step(steps, r"^actions/upload-artifact@")
    comment = step(steps, r"^actions/github-script@")
    assert check < steps.index(summary) < steps.index(artifact) < steps.index(comment) < test
    for s in (summary, artifact, comment):     # also when make check failed
        assert s["if"].startswith("${{ !cancelled() && github.event_name == 'pull_request'")
    assert 'BASE="origin/${{ github.base_ref }}" COMMENT=review-comment.md' in summary["run"]
    assert artifact["with"]["path"] == "review-summary.md"
    assert "readFileSync('review-comment.md'" in comment["with"]["script"]
    assert step(steps, r"^actions/checkout@")["with"]["fetch-depth"] == 0
    for s in steps:
        if "uses" in s:      # pinned to a commit, not a tag that can move
            assert re.fullmatch(r"[\w-]+/[\w-]+@[0-9a-f]{40}", s["uses"]), s["uses"]


def test_gitlab_runs_make_check_and_attaches_and_posts_the_summary_on_merge_requests():
    ci = load(GITLAB)
    assert "make check" in ci["check"]["script"]
    job = ci["review-summary"]
    assert job["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}]
    assert ('make review-summary BASE="origin/$CI_MERGE_REQUEST_TARGET_BRANCH_NAME" COMMENT=review-comment.md'
            in job["script"])
    assert job["artifacts"]["when"] == "always"
    assert job["artifacts"]["paths"] == ["review-summary.md"]
    assert "curl" in ci["before_script"][1].split()
    assert "REVIEW_SUMMARY_TOKEN" in job["script"][-1]
    assert "`REVIEW_SUMMARY_TOKEN`" in REVIEW_GUIDE


def summary_command(ci: str) -> str:
    """The CI line that makes the summary, with the CI's own values filled in."""
    if ci == "github":
        line = step(github_steps(), r"make review-summary")["run"].splitlines()[0]
        return line.replace("${{ github.base_ref }}", "main")
    line = next(ln for ln in load(GITLAB)["review-summary"]["script"] if ln.startswith("make review-summary"))
    return line.replace("$CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "main")


@pytest.mark.parametrize("ci", ["github", "gitlab"])
def test_ci_summary_command_is_one_the_script_accepts(ci):
    """make review-summary as CI calls it turns into options review_summary.py knows."""
    line = summary_command(ci)
    result = subprocess.run(["make", "-n", *shlex.split(line)[1:]], cwd=ROOT, capture_output=True, text=True)
    command = shlex.split(next(ln for ln in result.stdout.splitlines() if "scripts/review_summary.py" in ln))
    args = review_summary.build_parser().parse_args(command[command.index("scripts/review_summary.py") + 1:])
    assert (args.base, args.output, args.comment_output) == ("origin/main", "review-summary.md", "review-comment.md")


# --- GitHub: the comment step's script, run by Node ------------------------------

NODE_HARNESS = r"""
const fs = require('fs');
const [script, existing] = [fs.readFileSync(process.argv[2], 'utf8'), JSON.parse(process.argv[3])];
const calls = [];
const api = (name, data) => async (params) => { calls.push([name, params]); return { data }; };
const github = {
  paginate: async (method, params) => (await method(params)).data,
  rest: { issues: { listComments: api('list', existing), updateComment: api('update'), createComment: api('create') } },
};
const context = { repo: { owner: 'county', repo: 'gongkai' }, issue: { number: 7 } };
const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor;
new AsyncFunction('require', 'github', 'context', script)(require, github, context)
  .then(() => console.log(JSON.stringify(calls)), (err) => { console.error(err); process.exit(1); });
"""


def run_github_script(tmp_path, existing):
    marker = review_summary.COMMENT_MARKER
    (tmp_path / "review-comment.md").write_text(f"{marker}\n## 内容变更摘要\n", encoding="utf-8")
    (tmp_path / "script.js").write_text(step(github_steps(), r"^actions/github-script@")["with"]["script"],
                                        encoding="utf-8")
    (tmp_path / "harness.js").write_text(NODE_HARNESS, encoding="utf-8")
    result = subprocess.run(["node", "harness.js", "script.js", json.dumps(existing)], cwd=tmp_path,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_github_comment_is_posted_once_then_updated(tmp_path):
    marker = review_summary.COMMENT_MARKER
    body = f"{marker}\n## 内容变更摘要\n"
    # a person quoting the marker is not the summary's comment
    calls = run_github_script(tmp_path, [{"id": 3, "user": {"type": "User"}, "body": marker + " 引用"}])
    assert calls[-1] == ["create", {"owner": "county", "repo": "gongkai", "issue_number": 7, "body": body}]
    calls = run_github_script(tmp_path, [{"id": 5, "user": {"type": "Bot"}, "body": marker + "\n旧的摘要"}])
    assert calls[-1] == ["update", {"owner": "county", "repo": "gongkai", "comment_id": 5, "body": body}]


# --- GitLab: the note step's shell, against a stand-in notes endpoint -------------

class Notes(BaseHTTPRequestHandler):
    notes: list = []
    requests: list = []
    PATH = "/api/v4/projects/42/merge_requests/7/notes"

    def _answer(self, status, data):
        body = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _form(self) -> dict:
        raw = self.rfile.read(int(self.headers["Content-Length"])).decode()
        return {k: v[0] for k, v in parse_qs(raw).items()}

    def _handle(self):
        url = urlparse(self.path)
        self.requests.append((self.command, url.path, self.headers.get("PRIVATE-TOKEN")))
        if self.headers.get("PRIVATE-TOKEN") != "glpat-test":
            return self._answer(401, {"message": "401 Unauthorized"})
        if self.command == "GET" and url.path == self.PATH:
            return self._answer(200, list(reversed(self.notes)))
        if self.command == "POST" and url.path == self.PATH:
            self.notes.append({"id": len(self.notes) + 1, "body": self._form()["body"]})
            return self._answer(201, self.notes[-1])
        if self.command == "PUT" and url.path.startswith(self.PATH + "/"):
            note = next(n for n in self.notes if n["id"] == int(url.path.rsplit("/", 1)[1]))
            note["body"] = self._form()["body"]
            return self._answer(200, note)
        return self._answer(404, {"message": "404 Not Found"})

    do_GET = do_POST = do_PUT = _handle

    def log_message(self, *args):
        pass


@pytest.fixture
def gitlab_api():
    Notes.notes, Notes.requests = [{"id": 1, "body": "同事的评论"}], []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Notes)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/api/v4"
    server.shutdown()
    server.server_close()


def run_gitlab_note_step(tmp_path, api, token, summary):
    (tmp_path / "review-comment.md").write_text(f"{review_summary.COMMENT_MARKER}\n{summary}\n", encoding="utf-8")
    env = {**os.environ, "CI_API_V4_URL": api, "CI_PROJECT_ID": "42", "CI_MERGE_REQUEST_IID": "7"}
    env.pop("REVIEW_SUMMARY_TOKEN", None)
    if token:
        env["REVIEW_SUMMARY_TOKEN"] = token
    script = load(GITLAB)["review-summary"]["script"][-1]
    # GitLab runs a job's script in bash with errexit and pipefail
    return subprocess.run(["bash", "-eo", "pipefail", "-c", script], cwd=tmp_path, env=env,
                          capture_output=True, text=True)


def test_gitlab_note_is_posted_once_then_updated(tmp_path, gitlab_api):
    first = run_gitlab_note_step(tmp_path, gitlab_api, "glpat-test", "**检查未通过**：本分支的改动有 1 个错误")
    assert first.returncode == 0, first.stderr
    second = run_gitlab_note_step(tmp_path, gitlab_api, "glpat-test", "**检查通过**：没有发现错误。")
    assert second.returncode == 0, second.stderr
    assert Notes.notes == [{"id": 1, "body": "同事的评论"},
                           {"id": 2, "body": f"{review_summary.COMMENT_MARKER}\n**检查通过**：没有发现错误。\n"}]
    assert [r[0] for r in Notes.requests] == ["GET", "POST", "GET", "PUT"]


def test_gitlab_without_a_token_keeps_the_summary_as_an_artifact_only(tmp_path, gitlab_api):
    result = run_gitlab_note_step(tmp_path, gitlab_api, None, "**检查通过**：没有发现错误。")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "没有设置 REVIEW_SUMMARY_TOKEN：内容变更摘要只作为产物保存，不在合并请求中评论。\n"
    assert Notes.requests == []


def test_gitlab_note_with_a_wrong_token_fails_the_job(tmp_path, gitlab_api):
    result = run_gitlab_note_step(tmp_path, gitlab_api, "expired", "**检查通过**：没有发现错误。")
    assert result.returncode != 0
    assert "401" in result.stderr
