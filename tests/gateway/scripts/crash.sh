#!/bin/sh
# Test CGI: fails before printing anything.
echo "crash.sh: about to fail" >&2
exit 3
