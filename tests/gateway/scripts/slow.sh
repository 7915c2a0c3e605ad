#!/bin/sh
# Test CGI: concurrency probe. QUERY_STRING is "WANT&SECS": registers itself in ../state/running/,
# waits (at most SECS seconds) until WANT scripts are registered at the same time, and reports
# the highest count it saw.
state="$(dirname "$SCRIPT_FILENAME")/../state/running"
want=${QUERY_STRING%%&*}
secs=${QUERY_STRING#*&}
touch "$state/$$"
seen=0
i=0
while [ $i -lt $((secs * 20)) ]; do
  n=$(ls "$state" | wc -l)
  [ "$n" -gt "$seen" ] && seen=$n
  [ "$seen" -ge "$want" ] && break
  sleep 0.05
  i=$((i + 1))
done
sleep 0.3
rm -f "$state/$$"
printf 'Content-Type: text/plain\r\n\r\nseen=%s\n' "$seen"
