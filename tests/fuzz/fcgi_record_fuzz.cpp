// Fuzz target: the FastCGI worker's record reader (io/fcgi_protocol), fed the input in pieces
// whose sizes come from the input itself, as a socket would deliver it. Checks that it never
// crashes, never hands out a request past its limits, and never buffers more than one record.
#include "io/fcgi_protocol.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fh::detail::FcgiLimits limits;
  limits.max_params_bytes = 4096;
  limits.max_body_bytes = 8192;
  fh::detail::FcgiParser parser(limits);
  std::size_t i = 0;
  while (i < size) {
    // The first byte of each piece says how many bytes follow it in this read (1..256).
    const std::size_t n = std::min<std::size_t>(size - i - 1, std::size_t{data[i]} + 1);
    const std::string_view piece(reinterpret_cast<const char*>(data) + i + 1, n);
    i += 1 + n;
    if (!parser.feed(piece)) break;
    while (auto req = parser.next()) {
      if (req->raw.body.size() > limits.max_body_bytes) std::abort();
      std::size_t meta = 0;
      for (const auto& [k, v] : req->raw.params)
        meta += k.size() + v.size();
      if (meta > limits.max_params_bytes) std::abort();
    }
    (void)parser.take_output();
    // Everything complete has been consumed: at most one partial record stays buffered.
    if (parser.buffered() >= 8 + 65535 + 255) std::abort();
  }
  return 0;
}
