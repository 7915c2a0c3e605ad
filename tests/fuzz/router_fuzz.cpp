// Fuzz target: the route matcher and URL builder (core/router.hpp). Input: a route pattern, a
// newline, a method, a newline, then the request path. The pattern is compiled (a bad one is
// refused with std::invalid_argument) and added beside a fixed route table; the path is matched,
// and a route of the fixed table that matched builds back the path it matched.
#include "core/parse.hpp"
#include "core/router.hpp"
#include "fuzz_support.hpp"

#include <stdexcept>
#include <string>

namespace {

fh::detail::Route route(std::string pattern, std::string endpoint,
                        std::vector<fh::Method> methods = {fh::Method::Get}) {
  fh::detail::Route r;
  r.pattern = std::move(pattern);
  r.methods = std::move(methods);
  r.handler = [](fh::Request&) { return fh::Response(); };
  r.endpoint = std::move(endpoint);
  return r;
}

fh::detail::Router fixed_routes() {
  fh::detail::Router router;
  router.add(route("/", "index"));
  router.add(route("/users", "users", {fh::Method::Get, fh::Method::Post}));
  router.add(route("/users/new", "new_user"));
  router.add(route("/users/<int:id>", "user", {fh::Method::Get, fh::Method::Delete}));
  router.add(route("/users/<name>", "user_by_name"));
  router.add(route("/users/<int:id>/posts/<slug>", "post"));
  router.add(route("/static/<path:file>", "static"));
  router.add(route("/a/<x>/<y>/", "trailing", {fh::Method::Put}));
  router.add(route("/bp/<string:name>", "bp.show", {fh::Method::Patch}));
  return router;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in = fh::fuzz::as_view(data, size);
  const std::string_view pattern = fh::fuzz::take_line(in);
  const std::string_view method = fh::fuzz::take_line(in);
  // The app hands the router a path that starts with '/'.
  const std::string path = in.starts_with('/') ? std::string(in) : "/" + std::string(in);

  fh::detail::Router router = fixed_routes();
  bool fuzzed_route = false;
  try {
    router.add(route(std::string(pattern), "fuzzed", {fh::Method::Get, fh::Method::Post}));
    fuzzed_route = true;
  } catch (const std::invalid_argument&) {
  }

  const fh::detail::Match m = router.match(path, method);
  if (!m.allowed.empty()) {
    bool options = false;
    for (const auto& a : m.allowed)
      options = options || a == "OPTIONS";
    FH_FUZZ_CHECK(options);
  }
  if (m.route == nullptr) {
    FH_FUZZ_CHECK(m.args.empty());
  } else if (m.route->endpoint != "fuzzed") {
    // url_for of what matched gives back the path (after decoding).
    const std::string built = router.build(m.route->endpoint, m.args);
    const auto decoded = fh::detail::percent_decode(built, false);
    FH_FUZZ_CHECK(decoded && *decoded == path);
  } else if (fuzzed_route) {
    // url_for accepts the arguments its own route matched.
    bool built = true;
    try {
      (void)router.build("fuzzed", m.args);
    } catch (const std::invalid_argument&) {
      built = false;
    }
    FH_FUZZ_CHECK(built);
  }
  return 0;
}
