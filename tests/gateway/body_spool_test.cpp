// Unit tests for spawn/gateway/body_spool: small bodies stay in memory, large ones go through
// an unlinked temporary file; both read back byte for byte.
#include <gtest/gtest.h>
#include <string>

#include "body_spool.hpp"

using namespace fh::gateway;

namespace {
// A body source that hands out `data` in pieces of at most `piece` bytes.
class StringSource final : public BodySource {
public:
  StringSource(std::string data, std::size_t piece) : data_(std::move(data)), piece_(piece) {}
  std::size_t read(char* buf, std::size_t n) override {
    const std::size_t k = std::min({n, piece_, data_.size() - off_});
    data_.copy(buf, k, off_);
    off_ += k;
    return k;
  }

private:
  std::string data_;
  std::size_t piece_, off_ = 0;
};

std::string read_all(BodySource& s) {
  std::string out;
  char buf[7000];
  while (std::size_t n = s.read(buf, sizeof buf))
    out.append(buf, n);
  return out;
}

std::string pattern(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i)
    s[i] = static_cast<char>((i * 131) % 251);
  return s;
}
} // namespace

TEST(BodySpool, EmptyBody) {
  StringSource src("", 10);
  BodySpool spool = BodySpool::fill(src, "/tmp");
  EXPECT_EQ(spool.size(), 0u);
  EXPECT_EQ(read_all(spool), "");
}

TEST(BodySpool, SmallBodyInMemory) {
  const std::string body = pattern(100000);
  StringSource src(body, 3000);
  BodySpool spool = BodySpool::fill(src, "/nonexistent-dir-never-used");
  EXPECT_EQ(spool.size(), body.size());
  EXPECT_EQ(read_all(spool), body);
}

TEST(BodySpool, LargeBodyThroughTempFile) {
  const std::string body = pattern(BodySpool::kMemoryLimit * 3 + 12345);
  StringSource src(body, 65536);
  BodySpool spool = BodySpool::fill(src, "/tmp");
  EXPECT_EQ(spool.size(), body.size());
  EXPECT_EQ(read_all(spool), body);
}

TEST(BodySpool, UnusableTempDirThrows) {
  StringSource src(pattern(BodySpool::kMemoryLimit + 1), 65536);
  EXPECT_THROW(BodySpool::fill(src, "/nonexistent-dir-for-test"), std::system_error);
}
