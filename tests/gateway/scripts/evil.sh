#!/bin/sh
# Test CGI: lives OUTSIDE the CGI directory in the tests (and as a dotfile inside it). If it ever
# runs, it leaves a marker file and says so.
touch "$(dirname "$0")/../state/EVIL_RAN" 2>/dev/null
printf 'Content-Type: text/plain\r\n\r\nEVIL RAN\n'
