// Unit tests of the gateway's read deadlines: a connection past its deadline is shut down (its
// reader sees end-of-stream), one within it is left alone, and disarm reports which happened.
#include "read_deadlines.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

using fh::gateway::ReadDeadlines;
using namespace std::chrono_literals;

struct Pair {
  Pair() { EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0); }
  ~Pair() {
    ::close(fds[0]);
    ::close(fds[1]);
  }
  int fds[2] = {-1, -1};
};

TEST(ReadDeadlines, PastDeadlineShutsTheConnectionDown) {
  ReadDeadlines d(2);
  Pair p;
  const auto now = ReadDeadlines::Clock::now();
  d.arm(1, p.fds[0], now + 1s);
  EXPECT_EQ(d.sweep(now), 0);
  EXPECT_EQ(d.sweep(now + 2s), 1);
  char c = 0;
  EXPECT_EQ(::recv(p.fds[0], &c, 1, MSG_DONTWAIT), 0); // end-of-stream, not EAGAIN
  EXPECT_EQ(d.sweep(now + 3s), 0);                     // once only
  EXPECT_TRUE(d.disarm(1));
  EXPECT_FALSE(d.disarm(1)); // reported once
}

TEST(ReadDeadlines, DisarmedInTimeIsLeftAlone) {
  ReadDeadlines d(1);
  Pair p;
  const auto now = ReadDeadlines::Clock::now();
  d.arm(0, p.fds[0], now + 1s);
  EXPECT_FALSE(d.disarm(0));
  EXPECT_EQ(d.sweep(now + 2s), 0);
  ASSERT_EQ(::send(p.fds[1], "x", 1, 0), 1);
  char c = 0;
  EXPECT_EQ(::recv(p.fds[0], &c, 1, MSG_DONTWAIT), 1);
}

TEST(ReadDeadlines, WatchesItsOwnCopyOfTheSocket) {
  // libfcgi may close the connection's fd before the thread disarms; the fd number may then
  // belong to another connection. The watchdog acts on its own dup, never on that number.
  ReadDeadlines d(1);
  Pair a;
  const auto now = ReadDeadlines::Clock::now();
  d.arm(0, a.fds[0], now);
  const int number = a.fds[0];
  ::close(number);
  a.fds[0] = -1;
  Pair b;
  ASSERT_EQ(::dup2(b.fds[0], number), number); // the closed number now names b's socket
  EXPECT_EQ(d.sweep(now + 1s), 1);
  ASSERT_EQ(::send(b.fds[1], "x", 1, 0), 1);
  char c = 0;
  EXPECT_EQ(::recv(number, &c, 1, MSG_DONTWAIT), 1); // b untouched
  EXPECT_TRUE(d.disarm(0));
  ::close(number);
}

} // namespace
