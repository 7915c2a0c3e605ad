#!/bin/sh
# Test CGI: a document response with its own status.
printf 'Status: 404 Nope\r\nContent-Type: text/plain\r\nX-Test: yes\r\n\r\nnot here\n'
