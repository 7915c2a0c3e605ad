#!/bin/sh
# Test CGI: sends its header and some body, then hangs past --cgi-timeout.
printf 'Content-Type: text/plain\r\n\r\npartial\n'
exec sleep 300
