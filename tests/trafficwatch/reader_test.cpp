// Unit tests of LogReader on real files with a fake clock: partial lines, rotation, copytruncate,
// replaced content, resume from a stored state (also after a rename), overlong lines.
#include "reader.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <sys/stat.h>
#include <vector>

namespace {

struct Sink : tw::LineSink {
  std::vector<std::string> lines, broken;
  void line(const std::string&, std::string_view text) override { lines.emplace_back(text); }
  void broken_line(const std::string&, std::string_view start, const char* why) override {
    broken.push_back(std::string(why) + ":" + std::string(start.substr(0, 10)));
  }
};

class ReaderTest : public ::testing::Test {
protected:
  void append(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::app | std::ios::binary) << text;
  }
  void append(const std::string& text) { append(log_, text); }
  // Polls in follow mode at fake time `ms`.
  std::size_t poll(tw::LogReader& r, long ms, bool follow = true) {
    return r.poll(sink_, follow, t0_ + std::chrono::milliseconds(ms), 1 << 20);
  }

  tw::testing::TempDir dir_{"tw_reader_"};
  std::string log_ = dir_.file("shop.log");
  Sink sink_;
  tw::Clock::time_point t0_{};
};

TEST_F(ReaderTest, PartialLineWaitsForItsNewline) {
  tw::LogReader r(log_, "shop");
  r.restore(std::nullopt, t0_);
  EXPECT_EQ(poll(r, 0), 0u); // no file yet: it may appear later
  append("one\ntw");
  poll(r, 10);
  EXPECT_EQ(sink_.lines, std::vector<std::string>{"one"});
  EXPECT_EQ(r.state().offset, 4);
  append("o\nthree\n");
  poll(r, 20);
  EXPECT_EQ(sink_.lines, (std::vector<std::string>{"one", "two", "three"}));
  EXPECT_EQ(r.state().offset, 14);
  EXPECT_TRUE(sink_.broken.empty());
}

TEST_F(ReaderTest, OnceModeCountsAnUnterminatedLastLine) {
  append("one\ntwo");
  tw::LogReader r(log_, "shop");
  r.restore(std::nullopt, t0_);
  poll(r, 0, false);
  EXPECT_EQ(sink_.lines, std::vector<std::string>{"one"});
  EXPECT_EQ(sink_.broken, std::vector<std::string>{"unterminated last line:two"});
  EXPECT_EQ(r.state().offset, 7);
}

TEST_F(ReaderTest, RenameRotationDrainsTheOldFileFirst) {
  append("a1\n");
  tw::LogReader r(log_, "shop", {.rotate_grace = std::chrono::milliseconds(1000)});
  r.restore(std::nullopt, t0_);
  poll(r, 0);
  std::filesystem::rename(log_, log_ + ".1");
  append(log_ + ".1", "a2\n"); // the writer has not reopened yet
  append("b1\n");
  poll(r, 100); // notices the rotation, drains a2
  append(log_ + ".1", "a3\npart");
  poll(r, 600); // still within the grace: a3 is read from the old file
  EXPECT_EQ(sink_.lines, (std::vector<std::string>{"a1", "a2", "a3"}));
  poll(r, 1200); // grace over: the unfinished line is malformed, the new file is read
  poll(r, 1210);
  EXPECT_EQ(sink_.lines, (std::vector<std::string>{"a1", "a2", "a3", "b1"}));
  EXPECT_EQ(sink_.broken, std::vector<std::string>{"unterminated line in a rotated file:part"});
  struct stat now {};
  ASSERT_EQ(::stat(log_.c_str(), &now), 0);
  const auto st = r.state(); // the position now belongs to the new file
  EXPECT_EQ(st.ino, static_cast<std::int64_t>(now.st_ino));
  EXPECT_EQ(st.offset, 3);
}

TEST_F(ReaderTest, CopyTruncateStartsOver) {
  append("first line\nsecond\n");
  tw::LogReader r(log_, "shop");
  r.restore(std::nullopt, t0_);
  poll(r, 0);
  std::filesystem::resize_file(log_, 0);
  append("x\n");
  poll(r, 10); // shorter than our position: truncated
  poll(r, 20);
  EXPECT_EQ(sink_.lines, (std::vector<std::string>{"first line", "second", "x"}));
  EXPECT_EQ(r.state().offset, 2);
}

TEST_F(ReaderTest, ReplacedContentLongerThanThePositionStartsOver) {
  append("first line\n");
  tw::LogReader r(log_, "shop");
  r.restore(std::nullopt, t0_);
  poll(r, 0);
  // Truncated and rewritten past our position before we looked: the head gives it away.
  std::filesystem::resize_file(log_, 0);
  append("other line\nand more lines\n");
  poll(r, 10);
  poll(r, 20);
  EXPECT_EQ(sink_.lines, (std::vector<std::string>{"first line", "other line", "and more lines"}));
}

TEST_F(ReaderTest, ResumesFromAStoredState) {
  append("a\nb\n");
  tw::LogReader r(log_, "shop");
  r.restore(std::nullopt, t0_);
  poll(r, 0);
  const auto saved = r.state();
  append("c\n");
  Sink later;
  tw::LogReader again(log_, "shop");
  again.restore(saved, t0_);
  again.poll(later, true, t0_, 1 << 20);
  EXPECT_EQ(later.lines, std::vector<std::string>{"c"});

  // Another file at the path with the same length: the head differs, so from the start.
  std::filesystem::remove(log_);
  append("x\ny\nz\n");
  Sink fresh;
  tw::LogReader third(log_, "shop");
  third.restore(saved, t0_);
  third.poll(fresh, true, t0_, 1 << 20);
  EXPECT_EQ(fresh.lines, (std::vector<std::string>{"x", "y", "z"}));
}

TEST_F(ReaderTest, FindsAFileRenamedWhileStopped) {
  append("a\nb\n");
  tw::LogReader r(log_, "shop", {.rotate_grace = std::chrono::milliseconds(100)});
  r.restore(std::nullopt, t0_);
  poll(r, 0);
  const auto saved = r.state();
  std::filesystem::rename(log_, log_ + ".1");
  append(log_ + ".1", "c\n");
  append("d\n");
  Sink s;
  tw::LogReader again(log_, "shop", {.rotate_grace = std::chrono::milliseconds(100)});
  again.restore(saved, t0_);
  for (long ms : {0, 50, 200, 210})
    again.poll(s, true, t0_ + std::chrono::milliseconds(ms), 1 << 20);
  EXPECT_EQ(s.lines, (std::vector<std::string>{"c", "d"}));
}

TEST_F(ReaderTest, OverlongLinesAreMalformedAndSkipped) {
  tw::LogReader r(log_, "shop", {.max_line_bytes = 1024, .read_bytes = 300});
  r.restore(std::nullopt, t0_);
  append("ok\n" + std::string(5000, 'L'));
  poll(r, 0);
  EXPECT_EQ(r.state().offset, 3); // still at the long line's start
  EXPECT_TRUE(sink_.broken.empty());
  append("LLL\nnext\n");
  poll(r, 10);
  EXPECT_EQ(sink_.lines, (std::vector<std::string>{"ok", "next"}));
  EXPECT_EQ(sink_.broken, std::vector<std::string>{"line too long:LLLLLLLLLL"});
  EXPECT_EQ(r.state().offset, 3 + 5004 + 5);
}

} // namespace
