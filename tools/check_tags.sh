#!/usr/bin/env bash
# Fails if the committed tags.h differs from what gen_tags makes of the dictionaries now.
# Usage: check_tags.sh GEN_TAGS COMMITTED_HEADER DICT.xml...
set -u
gen=$1 committed=$2
shift 2
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
"$gen" "$tmp" "$@" || exit 1
diff -u "$committed" "$tmp" | head -20
cmp -s "$committed" "$tmp"
