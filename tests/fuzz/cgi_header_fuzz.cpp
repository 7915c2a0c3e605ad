// Fuzz target: the CGI gateway's response header parser (spawn/gateway/cgi_header.hpp). Input:
// what a CGI program writes to stdout. A head the parser accepts must render into one
// well-formed FastCGI responder head that the parser accepts again.
#include "cgi_header.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fh::gateway;
  const std::string_view in = fh::fuzz::as_view(data, size);
  const auto end = find_header_end(in);
  if (!end) return 0;
  FH_FUZZ_CHECK(*end <= in.size() && in[*end - 1] == '\n');
  const HeadParse parsed = parse_cgi_head(in.substr(0, *end));
  if (!parsed.ok) {
    FH_FUZZ_CHECK(!parsed.error.empty());
    return 0;
  }
  FH_FUZZ_CHECK(parsed.head.status >= 100 && parsed.head.status <= 599);
  const std::string rendered = render_head(parsed.head);
  // No header line smuggled into the rendered head: it ends exactly at its blank line...
  const auto rendered_end = find_header_end(rendered);
  FH_FUZZ_CHECK(rendered_end && *rendered_end == rendered.size());
  // ...and reads back with the same status.
  const HeadParse again = parse_cgi_head(rendered);
  FH_FUZZ_CHECK(again.ok);
  if (!parsed.head.local_redirect) FH_FUZZ_CHECK(again.head.status == parsed.head.status);
  return 0;
}
