#!/usr/bin/env bash
# teacher: run from the repository root after `make models`; rerunning resumes.
set -euo pipefail
.venv/bin/distill experiment experiment=teacher
