// Fuzz target: Content-Type parameters and the multipart/form-data parser (core/parse.hpp).
// Input: the Content-Type header value, a newline, then the body ("X" is the boundary when the
// header has none).
#include "core/parse.hpp"
#include "fcgihost/http_error.hpp"
#include "fuzz_support.hpp"

#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fh::detail;
  std::string_view body = fh::fuzz::as_view(data, size);
  const std::string_view header = fh::fuzz::take_line(body);

  fh::Limits limits;
  limits.max_multipart_parts = 8;
  limits.max_param_bytes = 1024;
  limits.max_header_bytes = 512;
  fh::MultiDict form;
  std::vector<fh::FilePart> files;
  try {
    // Malformed parameters (a stray quote, a repeated name) are a 400 already.
    const ContentType ct = parse_content_type(header);
    const auto b = ct.params.find("boundary");
    const std::string boundary = b == ct.params.end() ? std::string("X") : b->second;
    parse_multipart(body, boundary, limits, form, files);
    FH_FUZZ_CHECK(form.size() + files.size() <= limits.max_multipart_parts);
    for (const auto& [name, value] : form)
      FH_FUZZ_CHECK(value.size() <= limits.max_param_bytes && name.size() < body.size());
    for (const auto& f : files)
      FH_FUZZ_CHECK(f.data.size() < body.size() && !f.content_type.empty());
  } catch (const fh::HttpError& e) {
    FH_FUZZ_CHECK(e.status() == 400);
  }
  return 0;
}
