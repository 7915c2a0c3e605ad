// fh::sys::write_all / read_some: the project's one write loop and one EINTR-retrying read.
#pragma once

#include <cstddef>
#include <string_view>

namespace fh::sys {

// Writes all of `data` to `fd` (retrying on EINTR and short writes); false on error.
bool write_all(int fd, std::string_view data) noexcept;
// read(2) with EINTR retry: bytes read, 0 at EOF, -1 on error.
long read_some(int fd, char* buf, std::size_t n) noexcept;

} // namespace fh::sys
