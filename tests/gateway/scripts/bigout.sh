#!/bin/sh
# Test CGI: 8 MiB of output (more than any pipe or socket buffer).
printf 'Content-Type: application/octet-stream\r\n\r\n'
head -c 8388608 /dev/zero
