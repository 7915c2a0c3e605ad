#!/bin/sh
# Test CGI: dumps its environment, one NAME=value per line, sorted.
printf 'Content-Type: text/plain\r\n\r\n'
env | LC_ALL=C sort
