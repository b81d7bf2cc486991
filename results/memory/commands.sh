#!/usr/bin/env bash
# memory: run from the repository root after `make models`; rerunning resumes.
set -euo pipefail
.venv/bin/distill experiment experiment=memory
