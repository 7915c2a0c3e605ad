#!/bin/sh
# Test CGI: a client redirect (absolute URI, no Status) -> 302.
printf 'Location: http://example.com/elsewhere\r\n\r\n'
