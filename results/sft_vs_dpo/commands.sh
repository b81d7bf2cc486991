#!/usr/bin/env bash
# sft_vs_dpo: run from the repository root after `make models`; rerunning resumes.
set -euo pipefail
.venv/bin/distill experiment experiment=sft_vs_dpo
