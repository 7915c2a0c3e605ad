#!/bin/sh
# Test CGI: prints garbage instead of a CGI header block.
printf 'this is not a header\n\nbody\n'
