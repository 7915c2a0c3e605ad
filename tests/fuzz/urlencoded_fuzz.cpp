// Fuzz target: percent-decoding and -encoding and the query / x-www-form-urlencoded parser
// (core/parse.hpp). Input: the raw query string or form body.
#include "core/parse.hpp"
#include "fcgihost/http_error.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fh::detail;
  const std::string_view in = fh::fuzz::as_view(data, size);

  for (const bool plus_as_space : {false, true}) {
    const auto decoded = percent_decode(in, plus_as_space);
    if (decoded) FH_FUZZ_CHECK(decoded->size() <= in.size());
    // Whatever fh::url_encode produces decodes back to the bytes it was given.
    for (const bool keep_slash : {false, true}) {
      const auto back = percent_decode(fh::url_encode(in, keep_slash), plus_as_space);
      FH_FUZZ_CHECK(back && *back == in);
    }
  }

  fh::Limits limits; // small limits, so that the limit paths are reached too
  limits.max_params = 32;
  limits.max_param_bytes = 256;
  fh::MultiDict out;
  try {
    parse_urlencoded(in, limits, out);
    FH_FUZZ_CHECK(out.size() <= limits.max_params);
    for (const auto& [k, v] : out)
      FH_FUZZ_CHECK(k.size() <= limits.max_param_bytes && v.size() <= limits.max_param_bytes);
  } catch (const fh::HttpError& e) {
    FH_FUZZ_CHECK(e.status() == 400);
  }
  return 0;
}
