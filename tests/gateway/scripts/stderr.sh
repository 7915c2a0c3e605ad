#!/bin/sh
# Test CGI: writes several lines (one of 20000 bytes) to stderr, then a normal response.
echo "first stderr line" >&2
head -c 20000 /dev/zero | tr '\0' 'x' >&2
echo >&2
printf 'last line without newline' >&2
printf 'Content-Type: text/plain\r\n\r\nok\n'
