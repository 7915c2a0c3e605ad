#!/bin/sh
# whoami.sh: a CGI program that prints whom CGI programs run as (`id`). Under `./run demo`
# started as root it shows fcgi-host or nobody, never root (tests/deploy/demo_unprivileged_test.sh).
printf 'Content-Type: text/plain\r\n\r\n'
id
