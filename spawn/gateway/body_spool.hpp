// cgi-gateway: BodySpool, the whole request body read from the web server before the CGI
// program starts: in memory up to a limit, then in an unlinked temporary file.
// Why: nginx reads no response until it has sent the whole request, so a gateway that writes
// output while part of the body is still unread deadlocks on large echoes (measured).
#pragma once

#include <cstddef>
#include <string>

#include "cgi_pump.hpp"
#include <fh/sys/unique_fd.hpp>

namespace fh::gateway {

class BodySpool final : public BodySource {
public:
  static constexpr std::size_t kMemoryLimit = 1024 * 1024;

  // Reads `src` to EOF. Bodies over kMemoryLimit go to an O_TMPFILE (or mkstemp+unlink) file in
  // `tmp_dir`. Throws std::system_error if that file cannot be created or written.
  static BodySpool fill(BodySource& src, const std::string& tmp_dir);

  // Sequential reads from the start of the spooled body; 0 at the end.
  std::size_t read(char* buf, std::size_t n) override;
  std::size_t size() const noexcept { return size_; }

private:
  BodySpool() = default;
  std::string memory_;
  sys::UniqueFd file_;
  std::size_t size_ = 0, offset_ = 0;
};

} // namespace fh::gateway
