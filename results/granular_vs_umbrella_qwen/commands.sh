#!/usr/bin/env bash
# granular_vs_umbrella_qwen: run from the repository root after `make models`; rerunning resumes.
set -euo pipefail
.venv/bin/distill experiment experiment=granular_vs_umbrella_qwen
