#!/bin/sh
# Test CGI: installed without the execute bit; must never run.
printf 'Content-Type: text/plain\r\n\r\nNOEXEC RAN\n'
