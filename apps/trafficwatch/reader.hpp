// LogReader: reads one access log line by line, keeps where counting stands and which file that
// is, and follows the path like `tail -F` (rename rotation, copytruncate, late files).
#pragma once

#include "store.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <fh/sys/unique_fd.hpp>

namespace tw {

// Receives what a reader finds: complete lines (without '\n') and lines that will never be
// complete (a last line without newline in --once mode, a partial line cut off by rotation or
// truncation, a line longer than the limit).
class LineSink {
public:
  virtual ~LineSink() = default;
  virtual void line(const std::string& site, std::string_view text) = 0;
  virtual void broken_line(const std::string& site, std::string_view start, const char* why) = 0;
};

struct ReaderOptions {
  std::size_t max_line_bytes = 1 << 20;         // longer lines are malformed (and skipped)
  std::size_t read_bytes = 1 << 20;             // one read(2) at most this much
  std::chrono::milliseconds rotate_grace{1000}; // keep draining a renamed file this long
};

using Clock = std::chrono::steady_clock;

class LogReader {
public:
  LogReader(std::string path, std::string site, ReaderOptions options = {});

  const std::string& path() const noexcept { return path_; }
  const std::string& site() const noexcept { return site_; }

  // Where to resume: the stored state for this path (nullopt: from the start of the file).
  // If the path now holds another file, the stored one is looked for (by dev/inode and head)
  // in the same directory, as a rotated file to drain first.
  void restore(const std::optional<FileState>& stored, Clock::time_point now);

  // Reads what is there (up to `budget` bytes), handing complete lines to `sink`. With `follow`,
  // also checks the path for rotation and the file for truncation/replacement. Without it
  // (--once), the end of the file is final: an unterminated last line is a broken line.
  // Returns the bytes read.
  std::size_t poll(LineSink& sink, bool follow, Clock::time_point now, std::size_t budget);

  // The state to store with the lines handed out so far; `changed` since the last take.
  FileState state() const;
  bool changed() const noexcept { return changed_; }
  void mark_stored() noexcept { changed_ = false; }

private:
  bool open_path(Clock::time_point now); // opens path_ from its start; false if absent
  bool open_fd(fh::sys::UniqueFd fd, std::int64_t offset);
  void reset_to_start(LineSink& sink, const char* why);
  void drop_partial(LineSink& sink, const char* why);   // counts the unfinished line
  void finish_partial(LineSink& sink, const char* why); // ... and moves offset_ to pos_
  bool head_matches(std::int64_t len, std::int64_t hash) const;
  void extend_head();
  void consume(LineSink& sink);
  void check_content(LineSink& sink);                     // copytruncate, replaced content
  void check_path(LineSink& sink, Clock::time_point now); // rename rotation

  std::string path_, site_;
  ReaderOptions opt_;
  fh::sys::UniqueFd fd_;
  std::int64_t dev_ = 0, ino_ = 0, head_len_ = 0, head_hash_ = 0;
  std::int64_t offset_ = 0; // start of the first line not yet handed out
  std::int64_t pos_ = 0;    // file position of the next read
  std::string buf_;         // bytes from offset_ (or from the skip point) to pos_
  bool skipping_ = false;   // inside a line longer than max_line_bytes
  std::string skip_sample_; // that line's first bytes, for the malformed-line log
  bool changed_ = false;
  std::optional<Clock::time_point> rotated_since_; // the path names another file (or none)
};

// FNV-1a over `data` (the file-head fingerprint), as a signed value for SQLite.
std::int64_t head_hash(std::string_view data) noexcept;
inline constexpr std::int64_t kHeadBytes = 1024;

} // namespace tw
