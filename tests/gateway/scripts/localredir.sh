#!/bin/sh
# Test CGI: a local redirect (RFC 3875 6.2.2) -> nginx internal redirect.
printf 'Location: /cgi-bin/hello.sh\r\n\r\n'
