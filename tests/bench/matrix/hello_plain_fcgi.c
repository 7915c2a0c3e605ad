/* hello_plain_fcgi.c: the floor of FastCGI overhead for the benchmark matrix.
 * Plain C on libfcgi's FCGX_* API, one request at a time, no framework. bench.sh compiles it
 * with `cc -O2 ... -lfcgi` and runs it under spawn-fcgi (listen socket at fd 0). */
#include <fcgiapp.h>

int main(void) {
  FCGX_Request rq;
  if (FCGX_Init() != 0 || FCGX_InitRequest(&rq, 0, 0) != 0) return 1;
  while (FCGX_Accept_r(&rq) >= 0) {
    FCGX_PutS("Content-Type: text/plain\r\n\r\nHello, world\n", rq.out);
    FCGX_Finish_r(&rq);
  }
  return 0;
}
