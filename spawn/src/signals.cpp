// signals.cpp: self-pipe signal handling for the master. The write end is the one sanctioned
// file-static: the handler needs it and can be given nothing else.
#include "signals.hpp"

#include <fh/sys/unique_fd.hpp>

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <unistd.h>

namespace spawn {
namespace {

volatile sig_atomic_t g_pipe_write = -1; // self-pipe write end, read by the handler only
int g_pipe_read = -1;

constexpr int kSignals[] = {SIGCHLD, SIGHUP, SIGTERM, SIGINT, SIGQUIT, SIGTTIN, SIGTTOU, SIGUSR1};

extern "C" void on_signal(int sig) {
  int saved = errno;
  unsigned char b = static_cast<unsigned char>(sig);
  if (g_pipe_write >= 0) [[maybe_unused]]
    ssize_t n = ::write(g_pipe_write, &b, 1); // full pipe: a byte is lost, fine
  errno = saved;
}

} // namespace

int signals_init() {
  int p[2];
  if (::pipe2(p, O_NONBLOCK | O_CLOEXEC) != 0) fh::sys::throw_errno("pipe2 self-pipe");
  g_pipe_read = p[0];
  g_pipe_write = p[1];
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  for (int s : kSignals)
    if (sigaction(s, &sa, nullptr) != 0) fh::sys::throw_errno("sigaction");
  struct sigaction ign {};
  ign.sa_handler = SIG_IGN;
  sigemptyset(&ign.sa_mask);
  sigaction(SIGPIPE, &ign, nullptr);
  return g_pipe_read;
}

std::vector<int> signals_drain() {
  std::vector<int> out;
  unsigned char buf[64];
  for (;;) {
    ssize_t n = ::read(g_pipe_read, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    for (ssize_t i = 0; i < n; ++i)
      out.push_back(buf[i]);
  }
  return out;
}

} // namespace spawn
