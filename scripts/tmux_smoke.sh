#!/usr/bin/env bash
# Smoke test of the terminal app: run `payer-assistant chat` in tmux on the demo workspace,
# type a question, and check the captured screen shows the answer and its citation.
# Usage: scripts/tmux_smoke.sh [WORKSPACE] (default .demo-workspace; built if missing).
# Needs tmux (Debian: apt-get install tmux).
set -euo pipefail

cd "$(dirname "$0")/.."
WORKSPACE=${1:-.demo-workspace}
QUESTION=${QUESTION:-"What is our timely filing limit with Aetna?"}
EXPECT_ANSWER=${EXPECT_ANSWER:-"90 days"}
EXPECT_CITATION=${EXPECT_CITATION:-"[1] aetna-agreement.md"}
PYTHON=${PYTHON:-.venv/bin/python}
SESSION="payer-smoke-$$"
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 ANONYMIZED_TELEMETRY=False

command -v tmux >/dev/null || { echo "tmux not found: apt-get install tmux" >&2; exit 2; }

if [ ! -f "$WORKSPACE/workspace.sqlite3" ]; then
    echo "Building the demo workspace in $WORKSPACE (about a minute)…"
    "$PYTHON" - "$WORKSPACE" <<'PY'
import sys
from pathlib import Path

from assistant.config import Settings
from assistant.demo import build_demo_workspace
from assistant.services import Services

build_demo_workspace(Services(Settings(workspace=Path(sys.argv[1]))))
PY
fi

cleanup() { tmux kill-session -t "$SESSION" 2>/dev/null || true; }
trap cleanup EXIT

tmux new-session -d -s "$SESSION" -x 120 -y 40 \
    "$PYTHON -m assistant --workspace '$WORKSPACE' chat"

# Wait until `pattern` is on screen (up to `seconds`); print the screen on failure.
wait_for() {
    local pattern=$1 seconds=$2 screen=""
    for _ in $(seq "$seconds"); do
        screen=$(tmux capture-pane -p -t "$SESSION" 2>/dev/null || true)
        if grep -qF -- "$pattern" <<<"$screen"; then
            return 0
        fi
        sleep 1
    done
    echo "FAIL: '$pattern' not on screen after ${seconds}s. Screen:" >&2
    echo "$screen" >&2
    return 1
}

wait_for "Ask about your contracts" 30
wait_for "search: ready" 90
tmux send-keys -t "$SESSION" -l "$QUESTION"
tmux send-keys -t "$SESSION" Enter
wait_for "$EXPECT_CITATION" 90
wait_for "$EXPECT_ANSWER" 5
tmux capture-pane -p -t "$SESSION"
echo "OK: the answer ('$EXPECT_ANSWER') and its citation ('$EXPECT_CITATION') are on screen."
