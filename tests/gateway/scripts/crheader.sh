#!/bin/sh
# Test CGI: tries header injection with a bare CR inside a header line.
printf 'Content-Type: text/plain\rSet-Cookie: evil=1\r\n\r\nbody\n'
