// Fuzz target: a JSON request body through App::handle into Request::json() and back out as a
// JSON response. Input: the body of a POST with Content-Type application/json.
#include "fcgihost/app.hpp"
#include "fuzz_support.hpp"
#include "io/response_writer.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace {

const fh::App& app() {
  static const fh::App instance = [] {
    fh::App a("json-fuzz");
    a.limits().max_json_depth = 64;
    a.route("/json", {fh::POST}, [](fh::Request& rq) { return fh::Response::json(rq.json()); });
    return a;
  }();
  return instance;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fh::RawRequest raw;
  raw.params = {{"REQUEST_METHOD", "POST"},
                {"PATH_INFO", "/json"},
                {"CONTENT_TYPE", "application/json"},
                {"CONTENT_LENGTH", std::to_string(size)}};
  raw.body.assign(reinterpret_cast<const char*>(data), size);
  const fh::Response resp = app().handle(std::move(raw));
  // A body the parser accepts is answered; anything else is the client's 400. A 500 would be an
  // exception the library let escape.
  FH_FUZZ_CHECK(resp.status() == 200 || resp.status() == 400);
  if (resp.status() == 200) {
    // What we sent back is JSON again.
    const auto again = nlohmann::json::parse(resp.body(), nullptr, false);
    FH_FUZZ_CHECK(!again.is_discarded());
  }
  const std::string wire = fh::detail::serialize_response(resp, false);
  FH_FUZZ_CHECK(wire.size() > resp.body().size());
  return 0;
}
