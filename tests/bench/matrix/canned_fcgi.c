/* canned_fcgi.c: the FastCGI path's own limit for the benchmark matrix: a responder that does
 * nothing but the protocol, answering every request with the same canned bytes.
 *
 * Plain C, no FastCGI library (<fastcgi.h> only for the record definitions), one epoll loop per
 * process. Like the other C baselines it takes its listen socket at fd 0 from spawn-fcgi
 * (`spawn-fcgi -F N` forks N of them on one socket). Per connection it reads records through the
 * request's empty FCGI_STDIN record, then writes STDOUT ("Status: 200 OK", text/plain,
 * "Hello, world\n"), the empty STDOUT and END_REQUEST in one send(2); it keeps the connection
 * when BEGIN_REQUEST had FCGI_KEEP_CONN and closes it otherwise. Record contents are skipped,
 * never stored, so any record size works with a fixed buffer. Management records get
 * GET_VALUES_RESULT (empty) or UNKNOWN_TYPE; a second request on a busy connection gets
 * FCGI_CANT_MPX_CONN, a role other than RESPONDER FCGI_UNKNOWN_ROLE.
 * Build: cc -O2 -Wall -Wextra -o canned_fcgi canned_fcgi.c (bench.sh does). */
#define _GNU_SOURCE /* accept4 */
#include <errno.h>
#include <fastcgi.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define IN_BUF 16384
#define OUT_MAX 512

static const char kBody[] =
    "Status: 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\n"
    "Hello, world\n";

/* The canned answer: STDOUT(body), STDOUT(empty), END_REQUEST(complete); request id patched. */
static unsigned char canned[OUT_MAX];
static size_t canned_len;
static size_t canned_id_at[3];

struct conn { /* the state first (cleared for each connection), then the buffers */
  int fd;
  int active;              /* a request is open on this connection */
  int keep;                /* its BEGIN_REQUEST had FCGI_KEEP_CONN */
  unsigned id;             /* its request id */
  int have_header;         /* hdr holds the header of the record being read */
  FCGI_Header hdr;         /* that header */
  size_t skip;             /* content + padding bytes of that record still to skip */
  size_t in_len;           /* bytes in in[] */
  size_t out_len, out_off; /* a reply that did not fit into the socket at once */
  int closing;             /* close once out[] is sent */
  int want_out;            /* EPOLLOUT is in this connection's epoll events */
  struct conn* next_spare; /* while closed: the next struct on the spare list */
  unsigned char in[IN_BUF];
  unsigned char out[4 * OUT_MAX];
};

static struct conn** conns; /* by fd */
static int tcp;             /* the listen socket is TCP: set TCP_NODELAY on connections */
static int conns_cap;
static int ep;

static void put_header(unsigned char* p, int type, unsigned id, unsigned len, unsigned pad) {
  FCGI_Header* h = (FCGI_Header*)p;
  h->version = FCGI_VERSION_1;
  h->type = (unsigned char)type;
  h->requestIdB1 = (unsigned char)(id >> 8);
  h->requestIdB0 = (unsigned char)id;
  h->contentLengthB1 = (unsigned char)(len >> 8);
  h->contentLengthB0 = (unsigned char)len;
  h->paddingLength = (unsigned char)pad;
  h->reserved = 0;
}

/* end_request(out, id, protocol status) -> bytes written to out (16). */
static size_t end_request(unsigned char* out, unsigned id, int status) {
  FCGI_EndRequestRecord r;
  memset(&r, 0, sizeof r);
  put_header(out, FCGI_END_REQUEST, id, sizeof r.body, 0);
  r.body.protocolStatus = (unsigned char)status;
  memcpy(out + FCGI_HEADER_LEN, &r.body, sizeof r.body);
  return sizeof r;
}

static void build_canned(void) {
  size_t n = sizeof kBody - 1, pad = (8 - n % 8) % 8, at = 0;
  canned_id_at[0] = at;
  put_header(canned + at, FCGI_STDOUT, 1, (unsigned)n, (unsigned)pad);
  at += FCGI_HEADER_LEN;
  memcpy(canned + at, kBody, n);
  at += n + pad; /* padding bytes stay zero */
  canned_id_at[1] = at;
  put_header(canned + at, FCGI_STDOUT, 1, 0, 0);
  at += FCGI_HEADER_LEN;
  canned_id_at[2] = at;
  at += end_request(canned + at, 1, FCGI_REQUEST_COMPLETE);
  canned_len = at;
}

static struct conn* spare; /* closed connections' structs, reused (no malloc per connection) */

static void close_conn(struct conn* c) {
  conns[c->fd] = NULL;
  close(c->fd); /* also leaves the epoll set */
  c->next_spare = spare;
  spare = c;
}

/* queue(c, bytes, n): append to the pending output (flushed by flush()). */
static int queue(struct conn* c, const unsigned char* p, size_t n) {
  if (c->out_len + n > sizeof c->out) return -1; /* a peer that never reads: give up on it */
  memcpy(c->out + c->out_len, p, n);
  c->out_len += n;
  return 0;
}

/* flush(c): send what is pending; -1 if the connection is gone (closed here). */
static int flush(struct conn* c) {
  while (c->out_off < c->out_len) {
    ssize_t w = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) {
        struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.fd = c->fd};
        if (!c->want_out) epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
        c->want_out = 1;
        return 0;
      }
      close_conn(c);
      return -1;
    }
    c->out_off += (size_t)w;
  }
  c->out_len = c->out_off = 0;
  if (c->want_out) {
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = c->fd};
    epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
    c->want_out = 0;
  }
  if (c->closing) {
    close_conn(c);
    return -1;
  }
  return 0;
}

/* answer(c): the canned reply for the open request; closes the connection after it unless the
 * request asked to keep it. */
static void answer(struct conn* c) {
  size_t i;
  for (i = 0; i < 3; ++i) {
    canned[canned_id_at[i] + 2] = (unsigned char)(c->id >> 8);
    canned[canned_id_at[i] + 3] = (unsigned char)c->id;
  }
  c->active = 0;
  if (!c->keep) c->closing = 1;
  if (queue(c, canned, canned_len) != 0) c->closing = 1;
}

/* on_record(c, content): a whole record header (and, for BEGIN_REQUEST, its 8-byte body) has
 * arrived; content points at the body when the record has one in the buffer. */
static void on_record(struct conn* c, const unsigned char* content) {
  const FCGI_Header* h = &c->hdr;
  unsigned id = ((unsigned)h->requestIdB1 << 8) | h->requestIdB0;
  unsigned len = ((unsigned)h->contentLengthB1 << 8) | h->contentLengthB0;
  unsigned char out[64];
  if (id == FCGI_NULL_REQUEST_ID) { /* management record */
    if (h->type == FCGI_GET_VALUES) {
      put_header(out, FCGI_GET_VALUES_RESULT, 0, 0, 0);
      queue(c, out, FCGI_HEADER_LEN);
    } else {
      FCGI_UnknownTypeBody b;
      memset(&b, 0, sizeof b);
      b.type = h->type;
      put_header(out, FCGI_UNKNOWN_TYPE, 0, sizeof b, 0);
      memcpy(out + FCGI_HEADER_LEN, &b, sizeof b);
      queue(c, out, FCGI_HEADER_LEN + sizeof b);
    }
    return;
  }
  switch (h->type) {
  case FCGI_BEGIN_REQUEST: {
    const FCGI_BeginRequestBody* b = (const FCGI_BeginRequestBody*)content;
    unsigned role = ((unsigned)b->roleB1 << 8) | b->roleB0;
    if (c->active) {
      queue(c, out, end_request(out, id, FCGI_CANT_MPX_CONN));
    } else if (role != FCGI_RESPONDER) {
      queue(c, out, end_request(out, id, FCGI_UNKNOWN_ROLE));
      if (!(b->flags & FCGI_KEEP_CONN)) c->closing = 1;
    } else {
      c->active = 1;
      c->id = id;
      c->keep = (b->flags & FCGI_KEEP_CONN) != 0;
    }
    break;
  }
  case FCGI_ABORT_REQUEST:
    if (c->active && id == c->id) {
      c->active = 0;
      queue(c, out, end_request(out, id, FCGI_REQUEST_COMPLETE));
      if (!c->keep) c->closing = 1;
    }
    break;
  case FCGI_STDIN:
    if (c->active && id == c->id && len == 0) answer(c);
    break;
  default: /* PARAMS, DATA, records of other requests: skipped */
    break;
  }
}

/* on_readable(c): read once, consume every whole record header in the buffer. */
static void on_readable(struct conn* c) {
  ssize_t r;
  size_t pos = 0;
  do {
    r = recv(c->fd, c->in + c->in_len, sizeof c->in - c->in_len, 0);
  } while (r < 0 && errno == EINTR);
  if (r == 0 || (r < 0 && errno != EAGAIN)) {
    close_conn(c);
    return;
  }
  if (r < 0) return;
  c->in_len += (size_t)r;
  for (;;) {
    if (c->skip > 0) { /* inside a record's content or padding */
      size_t n = c->in_len - pos < c->skip ? c->in_len - pos : c->skip;
      pos += n;
      c->skip -= n;
      if (c->skip > 0) break;
    }
    if (!c->have_header) {
      if (c->in_len - pos < FCGI_HEADER_LEN) break;
      memcpy(&c->hdr, c->in + pos, FCGI_HEADER_LEN);
      c->have_header = 1;
      pos += FCGI_HEADER_LEN;
    }
    {
      size_t len = ((size_t)c->hdr.contentLengthB1 << 8) | c->hdr.contentLengthB0;
      size_t total = len + c->hdr.paddingLength;
      if (c->hdr.type == FCGI_BEGIN_REQUEST) {
        if (len < sizeof(FCGI_BeginRequestBody)) { /* malformed: drop the connection */
          close_conn(c);
          return;
        }
        if (c->in_len - pos < sizeof(FCGI_BeginRequestBody)) break;
      }
      on_record(c, c->in + pos);
      c->have_header = 0;
      c->skip = total;
    }
  }
  memmove(c->in, c->in + pos, c->in_len - pos);
  c->in_len -= pos;
  if (c->out_len > 0 || c->closing) flush(c);
}

static void add_conn(int fd) {
  struct conn* c;
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
  int one = 1;
  if (fd >= conns_cap) {
    int cap = conns_cap ? conns_cap : 1024;
    while (cap <= fd)
      cap *= 2;
    struct conn** grown = realloc(conns, (size_t)cap * sizeof *conns);
    if (grown == NULL) {
      close(fd);
      return;
    }
    memset(grown + conns_cap, 0, (size_t)(cap - conns_cap) * sizeof *conns);
    conns = grown;
    conns_cap = cap;
  }
  if (spare != NULL) {
    c = spare;
    spare = c->next_spare;
    memset(c, 0, offsetof(struct conn, in)); /* the state; the buffers need no clearing */
  } else {
    c = calloc(1, sizeof *c);
  }
  if (c == NULL) {
    close(fd);
    return;
  }
  c->fd = fd;
  conns[fd] = c;
  if (tcp) setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

int main(void) {
  const int listen_fd = 0; /* spawn-fcgi's convention */
  struct epoll_event ev = {.events = EPOLLIN | EPOLLEXCLUSIVE, .data.fd = listen_fd};
  struct epoll_event events[64];
  struct sockaddr_storage addr;
  socklen_t addr_len = sizeof addr;
  signal(SIGPIPE, SIG_IGN);
  build_canned();
  if (getsockname(listen_fd, (struct sockaddr*)&addr, &addr_len) == 0)
    tcp = addr.ss_family == AF_INET || addr.ss_family == AF_INET6;
  if (fcntl(listen_fd, F_SETFL, fcntl(listen_fd, F_GETFL) | O_NONBLOCK) != 0) {
    perror("canned_fcgi: fd 0 (expects the listen socket from spawn-fcgi)");
    return 1;
  }
  ep = epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, listen_fd, &ev) != 0) {
    perror("canned_fcgi: epoll");
    return 1;
  }
  for (;;) {
    int n = epoll_wait(ep, events, 64, -1), i;
    if (n < 0 && errno != EINTR) {
      perror("canned_fcgi: epoll_wait");
      return 1;
    }
    for (i = 0; i < n; ++i) {
      int fd = events[i].data.fd;
      if (fd == listen_fd) {
        /* One connection per wake-up: with EPOLLEXCLUSIVE the next pending one wakes another
         * process, so kept connections spread over the processes as libfcgi's do. */
        int cfd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (cfd >= 0) add_conn(cfd);
      } else if (fd < conns_cap && conns[fd] != NULL) {
        struct conn* c = conns[fd];
        if (events[i].events & EPOLLOUT) {
          if (flush(c) != 0) continue;
        }
        if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) on_readable(c);
      }
    }
  }
}
