#!/bin/sh
# Test CGI: headers but no blank line before the output ends.
printf 'Content-Type: text/plain\r\n'
