// Router: compiles route patterns ("/users/<int:id>/<path:rest>") and matches a request path
// and method to a route, or says which methods the path allows (405) or that nothing matches
// (404). Also builds URLs back from an endpoint name (url_for). Immutable after start-up.
#pragma once

#include "fcgihost/app.hpp"

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace fh::detail {

struct Segment {
  enum class Kind { Static, Int, String, Path } kind = Kind::Static;
  std::string text; // the literal for Static, the parameter name otherwise
};

// Parses a pattern; throws std::invalid_argument naming the problem (no leading '/', unknown
// converter, empty or duplicate parameter name, <path:> not last).
std::vector<Segment> compile_pattern(std::string_view pattern);

struct Route {
  std::string pattern;
  std::vector<Segment> segments;
  std::vector<Method> methods;
  Handler handler;
  std::string endpoint;  // "bp.view" or "view"
  std::string blueprint; // empty for app routes
};

struct Match {
  const Route* route = nullptr;            // null: 404 or 405
  std::map<std::string, std::string> args; // path parameters of `route`
  std::vector<std::string> allowed;        // route null: methods the path allows (405's Allow)
};

class Router {
public:
  // Adds a route; throws std::invalid_argument on a bad pattern or a duplicate endpoint.
  void add(Route route);
  // Matches `path` (decoded, starting with '/') for request method `method`.
  Match match(std::string_view path, std::string_view method) const;
  // Builds the path of `endpoint`; unused params become the query string.
  std::string build(std::string_view endpoint,
                    const std::map<std::string, std::string>& params) const;
  const std::vector<Route>& routes() const noexcept { return routes_; }

private:
  std::vector<Route> routes_; // kept sorted: static segments before converters, <path:> last
};

} // namespace fh::detail
