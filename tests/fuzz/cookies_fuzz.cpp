// Fuzz target: the Cookie header parser (core/parse.hpp). Input: the Cookie header value.
#include "core/parse.hpp"
#include "fcgihost/http_error.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in = fh::fuzz::as_view(data, size);
  fh::Limits limits;
  limits.max_params = 32;
  limits.max_header_bytes = 4096;
  fh::MultiDict out;
  try {
    fh::detail::parse_cookies(in, limits, out);
    FH_FUZZ_CHECK(out.size() <= limits.max_params);
    for (const auto& [name, value] : out) {
      FH_FUZZ_CHECK(!name.empty());
      FH_FUZZ_CHECK(name.size() + value.size() < in.size());
    }
  } catch (const fh::HttpError& e) {
    FH_FUZZ_CHECK(e.status() == 400 || e.status() == 431);
  }
  return 0;
}
