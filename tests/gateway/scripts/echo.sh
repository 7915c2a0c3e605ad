#!/bin/sh
# Test CGI: echoes the request body back (reads stdin while writing stdout).
printf 'Content-Type: application/octet-stream\r\n\r\n'
exec cat
