#!/usr/bin/env bash
# cgi_bin_only_programs.sh DIR: fails unless DIR (a served cgi-bin) holds only CGI programs
# (executable files), NAME.ini configs and NAME.templates/ (the templates of NAME.cgi, .tpl
# files): no CMake or other build-system files, nothing else.
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
  rel=${f#"$dir"/}
  if [[ $rel == *.templates/* && $name == *.tpl && -x "$dir/${rel%%.templates/*}.cgi" ]]; then
    continue
  fi
  if [ -f "$f" ] && { [ -x "$f" ] || [[ $name == *.ini ]]; }; then continue; fi
  bad+=("$f (not an executable file, a NAME.ini or a template of a NAME.cgi)")
done < <(find "$dir" -mindepth 1 -print0)
if [ ${#bad[@]} -gt 0 ]; then
  printf 'FAIL: %s must hold only CGI programs, their .ini and their templates:\n' "$dir" >&2
  printf '  %s\n' "${bad[@]}" >&2
  exit 1
fi
echo "PASS: $dir holds only CGI programs, .ini files and templates ($(find "$dir" -mindepth 1 -type f | wc -l) files)"
