#!/usr/bin/env bash
# cgi_bin_only_programs.sh DIR: fails unless DIR (a served cgi-bin) holds only CGI programs
# (executable files) and NAME.ini configs: no CMake or other build-system files, nothing else.
set -euo pipefail
dir=${1:?usage: cgi_bin_only_programs.sh DIR}
[ -d "$dir" ] || { echo "FAIL: $dir is not a directory" >&2; exit 1; }
bad=()
while IFS= read -r -d '' f; do
  name=${f##*/}
  case $name in
    CMakeFiles | CMakeCache.txt | Makefile | build.ninja | .ninja_* | *.cmake)
      bad+=("$f (build-system file)"); continue ;;
  esac
  if [ -d "$f" ]; then continue; fi
  if [ -f "$f" ] && { [ -x "$f" ] || [[ $name == *.ini ]]; }; then continue; fi
  bad+=("$f (not an executable file or a NAME.ini)")
done < <(find "$dir" -mindepth 1 -print0)
if [ ${#bad[@]} -gt 0 ]; then
  printf 'FAIL: %s must hold only CGI programs and their .ini:\n' "$dir" >&2
  printf '  %s\n' "${bad[@]}" >&2
  exit 1
fi
echo "PASS: $dir holds only CGI programs and .ini files ($(find "$dir" -mindepth 1 -type f | wc -l) files)"
