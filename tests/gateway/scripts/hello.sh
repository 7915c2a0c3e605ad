#!/bin/sh
# Test CGI: the smallest valid response.
printf 'Content-Type: text/plain\r\n\r\nhello from cgi\n'
