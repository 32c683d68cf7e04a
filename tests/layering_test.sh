#!/usr/bin/env bash
# Enforces DESIGN.md's one direction of dependency: every `#include "fixgate/<layer>/…"` must
# name an allowed layer, and the pure layers (codec, dict, session) do no I/O, threads or clocks.
set -uo pipefail
root=${1:-$(dirname "$0")/..}
cd "$root" || exit 2

declare -A allowed=(
  [base]="base"
  [codec]="base codec"
  [dict]="base codec dict"
  [session]="base codec dict session"
  [store]="base codec session store"
  [transport]="base codec transport"
  [ordering]="base codec ordering"
  [engine]="base codec dict session store transport ordering engine"
  [gateway]="base codec dict session store transport ordering engine gateway"
)
errors=0
for layer in "${!allowed[@]}"; do
  for dir in "include/fixgate/$layer" "src/$layer"; do
    [[ -d $dir ]] || continue
    while IFS= read -r file; do
      while IFS= read -r used; do
        if [[ " ${allowed[$layer]} " != *" $used "* ]]; then
          echo "LAYERING: $file ($layer) includes fixgate/$used"
          errors=$((errors + 1))
        fi
      done < <(grep -oE '#include +"fixgate/[a-z_]+/' "$file" | sed -E 's|.*fixgate/([a-z_]+)/|\1|')
    done < <(find "$dir" -name '*.h' -o -name '*.cc')
  done
done

# The pure layers: no asio, threads, locks, clocks or file I/O outside tests. The dictionary
# file loader (dict/dictionary_file.cc) is the one sanctioned exception: start-up only.
pattern='#include *<(asio[^>]*|thread|mutex|shared_mutex|condition_variable|future|fstream|filesystem)>|std::thread|_clock::now|asio::'
for layer in codec dict session; do
  for dir in "include/fixgate/$layer" "src/$layer"; do
    [[ -d $dir ]] || continue
    while IFS= read -r hit; do
      echo "PURITY: $hit"
      errors=$((errors + 1))
    done < <(grep -rnE "$pattern" "$dir" --include='*.h' --include='*.cc' |
      grep -vE '_test\.cc:|src/dict/dictionary_file\.cc:')
  done
done

if ((errors)); then
  echo "layering_test: $errors violation(s)"
  exit 1
fi
echo "layering_test: all includes follow DESIGN.md"
