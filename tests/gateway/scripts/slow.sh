#!/bin/sh
# Test CGI: concurrency probe. Registers itself in ../state/running/, waits (up to 15 s) until
# QUERY_STRING scripts are registered at once, and reports the highest count it saw.
state="$(dirname "$SCRIPT_FILENAME")/../state/running"
want=${QUERY_STRING:-2}
touch "$state/$$"
seen=0
i=0
while [ $i -lt 300 ]; do
  n=$(ls "$state" | wc -l)
  [ "$n" -gt "$seen" ] && seen=$n
  [ "$seen" -ge "$want" ] && break
  sleep 0.05
  i=$((i + 1))
done
sleep 0.3
rm -f "$state/$$"
printf 'Content-Type: text/plain\r\n\r\nseen=%s\n' "$seen"
