#!/bin/sh
# Test CGI: a header block larger than the gateway accepts (70 KiB, no blank line).
printf 'Content-Type: text/plain\r\nX-Big: '
head -c 71680 /dev/zero | tr '\0' 'a'
printf '\r\n\r\nbody\n'
