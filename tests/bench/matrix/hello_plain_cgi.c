/* hello_plain_cgi.c: classic CGI at its cheapest, for the benchmark matrix.
 * One write(2) and exit; bench.sh links it fully static (`cc -O2 -static`) so fork+exec is all
 * that is measured, and serves it through fcgiwrap. */
#include <unistd.h>

int main(void) {
  static const char reply[] = "Content-Type: text/plain\r\n\r\nHello, world\n";
  return write(1, reply, sizeof reply - 1) == (ssize_t)(sizeof reply - 1) ? 0 : 1;
}
