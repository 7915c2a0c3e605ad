#!/usr/bin/env bash
# Every template under the given directory (apps/ by default) must start with an AUTOESCAPE
# pragma (docs/conventions.md); lists the offenders and fails if there is any. Also fails on no .tpl.
set -euo pipefail
dir=${1:-apps}
bad=0 n=0
while IFS= read -r -d '' f; do
  n=$((n + 1))
  if ! head -n1 "$f" | grep -Eq '^\{\{%AUTOESCAPE context="(HTML|JAVASCRIPT|CSS|JSON|XML)"'; then
    echo "missing {{%AUTOESCAPE context=...}} on the first line: $f" >&2
    bad=1
  fi
done < <(find "$dir" -name '*.tpl' -print0)
[ "$n" -gt 0 ] || { echo "no .tpl under $dir" >&2; exit 1; }
echo "$n templates checked"
exit $bad
