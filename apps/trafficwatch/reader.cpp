// LogReader: line splitting with a bounded line length, resume by offset + file identity, and
// the tail -F checks (rename rotation with a drain grace, copytruncate, replaced content).
#include "reader.hpp"

#include <fcgihost/log.hpp>

#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <memory>
#include <sys/stat.h>
#include <unistd.h>

namespace tw {
namespace {

using fh::sys::UniqueFd;

UniqueFd open_ro(const char* path) {
  return UniqueFd(::open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY));
}

std::string read_at(int fd, std::int64_t len) {
  std::string s(static_cast<std::size_t>(len), '\0');
  std::size_t got = 0;
  while (got < s.size()) {
    const ssize_t n = ::pread(fd, s.data() + got, s.size() - got, static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  s.resize(got);
  return s;
}

std::string dir_of(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

} // namespace

std::int64_t head_hash(std::string_view data) noexcept {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : data) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return static_cast<std::int64_t>(h);
}

LogReader::LogReader(std::string path, std::string site, ReaderOptions options)
    : path_(std::move(path)), site_(std::move(site)), opt_(options) {}

bool LogReader::head_matches(std::int64_t len, std::int64_t hash) const {
  const std::string head = read_at(fd_.get(), len);
  return static_cast<std::int64_t>(head.size()) == len && head_hash(head) == hash;
}

void LogReader::extend_head() {
  struct stat st {};
  if (head_len_ >= kHeadBytes || ::fstat(fd_.get(), &st) != 0 || st.st_size <= head_len_) return;
  const std::string head = read_at(fd_.get(), std::min<std::int64_t>(st.st_size, kHeadBytes));
  head_len_ = static_cast<std::int64_t>(head.size());
  head_hash_ = head_hash(head);
  changed_ = true;
}

bool LogReader::open_fd(UniqueFd fd, std::int64_t offset) {
  struct stat st {};
  if (!fd || ::fstat(fd.get(), &st) != 0) return false;
  fd_ = std::move(fd);
  dev_ = static_cast<std::int64_t>(st.st_dev);
  ino_ = static_cast<std::int64_t>(st.st_ino);
  head_len_ = 0;
  head_hash_ = head_hash({});
  offset_ = pos_ = offset;
  buf_.clear();
  skipping_ = false;
  changed_ = true;
  extend_head();
  return true;
}

bool LogReader::open_path(Clock::time_point) {
  rotated_since_.reset();
  return open_fd(open_ro(path_.c_str()), 0);
}

void LogReader::restore(const std::optional<FileState>& stored, Clock::time_point now) {
  if (!stored) {
    open_path(now);
    return;
  }
  // The same file still at the path, with the same first bytes and at least as long.
  auto try_resume = [&](UniqueFd fd) {
    struct stat st {};
    if (!fd || ::fstat(fd.get(), &st) != 0) return false;
    if (static_cast<std::int64_t>(st.st_dev) != stored->dev ||
        static_cast<std::int64_t>(st.st_ino) != stored->ino || st.st_size < stored->offset)
      return false;
    fd_ = std::move(fd);
    if (!head_matches(stored->head_len, stored->head_hash)) {
      fd_.reset();
      return false;
    }
    dev_ = stored->dev;
    ino_ = stored->ino;
    head_len_ = stored->head_len;
    head_hash_ = stored->head_hash;
    offset_ = pos_ = stored->offset;
    buf_.clear();
    extend_head();
    return true;
  };
  if (try_resume(open_ro(path_.c_str()))) return;
  // Renamed away while we were not running: find it by dev/inode in the same directory.
  const std::string dir = dir_of(path_);
  std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir.c_str()), ::closedir);
  while (d) {
    const dirent* e = ::readdir(d.get());
    if (e == nullptr) break;
    // By stat, not d_ino (some file systems, overlayfs among them, report other numbers there).
    struct stat st {};
    if (::fstatat(::dirfd(d.get()), e->d_name, &st, 0) != 0 || !S_ISREG(st.st_mode) ||
        static_cast<std::int64_t>(st.st_ino) != stored->ino)
      continue;
    const std::string candidate = dir + "/" + e->d_name;
    if (candidate == path_) continue;
    if (try_resume(open_ro(candidate.c_str()))) {
      fh::log(fh::LogLevel::Info, path_ + ": draining the rotated file " + candidate +
                                      " from offset " + std::to_string(offset_));
      rotated_since_ = now;
      return;
    }
  }
  if (stored->offset > 0)
    fh::log(fh::LogLevel::Warning, path_ + ": the file read before is gone or changed; "
                                           "reading the file now at the path from its start");
  open_path(now);
}

void LogReader::consume(LineSink& sink) {
  std::size_t start = 0;
  if (skipping_) {
    const void* nl = std::memchr(buf_.data(), '\n', buf_.size());
    if (nl == nullptr) {
      buf_.clear();
      return;
    }
    // The end of an overlong line: counted now, in the same batch as the offset past it.
    start = static_cast<std::size_t>(static_cast<const char*>(nl) - buf_.data()) + 1;
    sink.broken_line(site_, skip_sample_, "line too long");
    skipping_ = false;
    offset_ = pos_ - static_cast<std::int64_t>(buf_.size() - start);
    changed_ = true;
  }
  for (;;) {
    // NOLINTNEXTLINE(bugprone-not-null-terminated-result): bytes, not a C string
    const void* nl = std::memchr(buf_.data() + start, '\n', buf_.size() - start);
    if (nl == nullptr) break;
    const auto end = static_cast<std::size_t>(static_cast<const char*>(nl) - buf_.data());
    sink.line(site_, std::string_view(buf_.data() + start, end - start));
    offset_ += static_cast<std::int64_t>(end + 1 - start);
    start = end + 1;
    changed_ = true;
  }
  buf_.erase(0, start);
  if (buf_.size() > opt_.max_line_bytes) {
    // Skipped up to its newline without keeping it; offset_ stays at the line's start until then.
    skip_sample_.assign(buf_, 0, 200);
    skipping_ = true;
    buf_.clear();
  }
}

void LogReader::drop_partial(LineSink& sink, const char* why) {
  if (skipping_)
    sink.broken_line(site_, skip_sample_, why);
  else if (!buf_.empty())
    sink.broken_line(site_, buf_, why);
  buf_.clear();
  skipping_ = false;
}

void LogReader::finish_partial(LineSink& sink, const char* why) {
  drop_partial(sink, why);
  if (offset_ != pos_) changed_ = true;
  offset_ = pos_;
}

void LogReader::reset_to_start(LineSink& sink, const char* why) {
  fh::log(fh::LogLevel::Info, path_ + ": " + why + "; reading from its start");
  drop_partial(sink, why);
  UniqueFd fd = std::move(fd_);
  open_fd(std::move(fd), 0);
}

void LogReader::check_content(LineSink& sink) {
  struct stat st {};
  if (::fstat(fd_.get(), &st) != 0) return;
  if (st.st_size < pos_) return reset_to_start(sink, "file truncated");
  if (!head_matches(head_len_, head_hash_)) return reset_to_start(sink, "file content replaced");
  extend_head();
}

void LogReader::check_path(LineSink& sink, Clock::time_point now) {
  struct stat now_st {};
  const bool same = ::stat(path_.c_str(), &now_st) == 0 &&
                    static_cast<std::int64_t>(now_st.st_dev) == dev_ &&
                    static_cast<std::int64_t>(now_st.st_ino) == ino_;
  if (same) {
    rotated_since_.reset();
    return;
  }
  if (!rotated_since_) {
    rotated_since_ = now;
    return;
  }
  if (now - *rotated_since_ < opt_.rotate_grace) return;
  // Drained and quiet for the grace period: what is left unterminated will never complete.
  finish_partial(sink, "unterminated line in a rotated file");
  UniqueFd next = open_ro(path_.c_str());
  if (next) {
    fh::log(fh::LogLevel::Info, path_ + ": rotated; reading the new file");
    rotated_since_.reset();
    open_fd(std::move(next), 0);
  }
}

std::size_t LogReader::poll(LineSink& sink, bool follow, Clock::time_point now,
                            std::size_t budget) {
  if (!fd_) {
    if (!open_path(now)) return 0;
  }
  // Truncated or replaced since the last look: checked before reading, or the new content
  // past our position would be taken for the rest of the old file.
  if (follow) check_content(sink);
  std::size_t total = 0;
  for (;;) {
    const std::size_t want = std::min(opt_.read_bytes, budget - total);
    if (want == 0) return total;
    const std::size_t old = buf_.size();
    buf_.resize(old + want);
    ssize_t n = ::pread(fd_.get(), buf_.data() + old, want, static_cast<off_t>(pos_));
    if (n < 0 && errno == EINTR) n = 0;
    buf_.resize(old + static_cast<std::size_t>(n > 0 ? n : 0));
    if (n <= 0) break;
    pos_ += n;
    total += static_cast<std::size_t>(n);
    consume(sink);
    if (static_cast<std::size_t>(n) < want) break; // at the end for now
  }
  if (!follow) {
    finish_partial(sink, "unterminated last line");
  } else {
    check_content(sink);
    check_path(sink, now);
  }
  return total;
}

FileState LogReader::state() const {
  FileState f;
  f.path = path_;
  f.site = site_;
  f.dev = dev_;
  f.ino = ino_;
  f.head_len = head_len_;
  f.head_hash = head_hash_;
  f.offset = offset_;
  return f;
}

} // namespace tw
