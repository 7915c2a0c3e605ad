// cgi-gateway: request body spooling (see body_spool.hpp).
#include "body_spool.hpp"

#include <fh/sys/io.hpp>

#include <cerrno>
#include <cstdlib>
#include <fcntl.h>
#include <system_error>
#include <unistd.h>
#include <vector>

namespace fh::gateway {
namespace {

// An anonymous temporary file in `dir`: O_TMPFILE where supported, else mkstemp + unlink.
sys::UniqueFd anonymous_file(const std::string& dir) {
  sys::UniqueFd fd(::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600));
  if (fd) return fd;
  std::string tmpl = dir + "/cgi-gateway-body.XXXXXX";
  fd.reset(::mkostemp(tmpl.data(), O_CLOEXEC));
  if (!fd) sys::throw_errno("temporary file in " + dir);
  ::unlink(tmpl.c_str());
  return fd;
}

void write_all(int fd, const char* p, std::size_t n) {
  if (!sys::write_all(fd, std::string_view(p, n))) sys::throw_errno("write request body spool");
}

} // namespace

BodySpool BodySpool::fill(BodySource& src, const std::string& tmp_dir) {
  BodySpool s;
  std::vector<char> buf(64 * 1024);
  for (;;) {
    const std::size_t n = src.read(buf.data(), buf.size());
    if (n == 0) break;
    s.size_ += n;
    if (!s.file_ && s.memory_.size() + n <= kMemoryLimit) {
      s.memory_.append(buf.data(), n);
      continue;
    }
    if (!s.file_) {
      s.file_ = anonymous_file(tmp_dir);
      write_all(s.file_.get(), s.memory_.data(), s.memory_.size());
      s.memory_.clear();
      s.memory_.shrink_to_fit();
    }
    write_all(s.file_.get(), buf.data(), n);
  }
  return s;
}

std::size_t BodySpool::read(char* buf, std::size_t n) {
  if (offset_ >= size_) return 0;
  if (!file_) {
    const std::size_t k = std::min(n, size_ - offset_);
    memory_.copy(buf, k, offset_);
    offset_ += k;
    return k;
  }
  for (;;) {
    const ssize_t r = ::pread(file_.get(), buf, n, static_cast<off_t>(offset_));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return 0; // I/O error on our own temp file: end the body early
    offset_ += static_cast<std::size_t>(r);
    return static_cast<std::size_t>(r);
  }
}

} // namespace fh::gateway
