#!/bin/sh
# Test CGI: never answers. Starts a grandchild (same process group), records both pids in
# ../state/hang.pids, then sleeps: the gateway must kill the whole group at --cgi-timeout.
state="$(dirname "$SCRIPT_FILENAME")/../state"
sleep 300 &
echo "$$ $!" > "$state/hang.pids.tmp" && mv "$state/hang.pids.tmp" "$state/hang.pids"
sleep 300
