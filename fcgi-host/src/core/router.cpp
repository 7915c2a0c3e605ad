// Route pattern compilation, matching (404 / 405 + Allow, automatic HEAD and OPTIONS) and URL
// building. Routes are tried most specific first, so "/users/new" beats "/users/<name>".
#include "core/router.hpp"

#include "core/parse.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>
#include <stdexcept>

namespace fh::detail {
namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  for (;;) {
    auto slash = path.find('/');
    parts.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return parts;
}

bool is_int(std::string_view s) {
  if (s.empty() || s.size() > 18) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Orders routes so that the most specific is tried first: segment by segment, a literal beats
// <int:>, which beats <x>, which beats <path:>; then more segments first.
bool more_specific(const Route& a, const Route& b) {
  const auto n = std::min(a.segments.size(), b.segments.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (a.segments[i].kind != b.segments[i].kind) return a.segments[i].kind < b.segments[i].kind;
  }
  return a.segments.size() > b.segments.size();
}

bool allows(const Route& r, Method m) {
  return std::find(r.methods.begin(), r.methods.end(), m) != r.methods.end();
}

} // namespace

std::vector<Segment> compile_pattern(std::string_view pattern) {
  if (pattern.empty() || pattern.front() != '/')
    throw std::invalid_argument("route pattern must start with '/': " + std::string(pattern));
  std::vector<Segment> segments;
  std::set<std::string, std::less<>> names;
  for (auto part : split_path(pattern)) {
    Segment seg;
    if (!segments.empty() && segments.back().kind == Segment::Kind::Path)
      throw std::invalid_argument("<path:> must be the last segment: " + std::string(pattern));
    if (part.size() >= 2 && part.front() == '<' && part.back() == '>') {
      auto inner = part.substr(1, part.size() - 2);
      auto colon = inner.find(':');
      std::string_view conv = colon == std::string_view::npos ? "string" : inner.substr(0, colon);
      std::string_view name = colon == std::string_view::npos ? inner : inner.substr(colon + 1);
      if (conv == "int")
        seg.kind = Segment::Kind::Int;
      else if (conv == "string")
        seg.kind = Segment::Kind::String;
      else if (conv == "path")
        seg.kind = Segment::Kind::Path;
      else
        throw std::invalid_argument("unknown converter '" + std::string(conv) + "' in " +
                                    std::string(pattern));
      if (name.empty() || !std::all_of(name.begin(), name.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
          }))
        throw std::invalid_argument("bad parameter name in " + std::string(pattern));
      if (!names.emplace(name).second)
        throw std::invalid_argument("duplicate parameter '" + std::string(name) + "' in " +
                                    std::string(pattern));
      seg.text = std::string(name);
    } else {
      if (part.find_first_of("<>") != std::string_view::npos)
        throw std::invalid_argument("malformed converter in " + std::string(pattern));
      seg.text = std::string(part);
    }
    segments.push_back(std::move(seg));
  }
  return segments;
}

void Router::add(Route route) {
  route.segments = compile_pattern(route.pattern);
  if (route.methods.empty()) route.methods.push_back(Method::Get);
  for (const auto& r : routes_) {
    if (r.endpoint == route.endpoint)
      throw std::invalid_argument("duplicate endpoint '" + route.endpoint + "'");
  }
  auto pos = std::upper_bound(routes_.begin(), routes_.end(), route, more_specific);
  routes_.insert(pos, std::move(route));
}

namespace {

// Matches `parts` against `segments`; fills `args` on success.
bool match_segments(const std::vector<Segment>& segments,
                    const std::vector<std::string_view>& parts,
                    std::map<std::string, std::string>& args) {
  args.clear();
  std::size_t i = 0;
  for (; i < segments.size(); ++i) {
    const Segment& seg = segments[i];
    if (seg.kind == Segment::Kind::Path) {
      if (i >= parts.size()) return false;
      std::string rest;
      for (std::size_t j = i; j < parts.size(); ++j) {
        if (j > i) rest.push_back('/');
        rest.append(parts[j]);
      }
      if (rest.empty()) return false;
      args.emplace(seg.text, std::move(rest));
      return true;
    }
    if (i >= parts.size()) return false;
    const auto part = parts[i];
    switch (seg.kind) {
    case Segment::Kind::Static:
      if (part != seg.text) return false;
      break;
    case Segment::Kind::Int:
      if (!is_int(part)) return false;
      args.emplace(seg.text, std::string(part));
      break;
    case Segment::Kind::String:
      if (part.empty()) return false;
      args.emplace(seg.text, std::string(part));
      break;
    case Segment::Kind::Path:
      break;
    }
  }
  return i == parts.size();
}

std::optional<Method> parse_method(std::string_view m) {
  static constexpr std::pair<std::string_view, Method> kMethods[] = {
      {"GET", Method::Get},        {"HEAD", Method::Head},     {"POST", Method::Post},
      {"PUT", Method::Put},        {"DELETE", Method::Delete}, {"PATCH", Method::Patch},
      {"OPTIONS", Method::Options}};
  for (const auto& [name, value] : kMethods)
    if (name == m) return value;
  return std::nullopt;
}

} // namespace

Match Router::match(std::string_view path, std::string_view method) const {
  Match result;
  const auto parts = split_path(path);
  const auto m = parse_method(method);
  std::map<std::string, std::string> args;
  // The first route (most specific first) that takes both the path and the method wins; the
  // method is the cheaper test, so it goes first.
  for (const auto& route : routes_) {
    if (!m || !(allows(route, *m) || (*m == Method::Head && allows(route, Method::Get)))) continue;
    if (!match_segments(route.segments, parts, args)) continue;
    result.route = &route;
    result.args = std::move(args);
    return result;
  }
  // None: the methods that the routes taking this path allow (405's Allow; none: 404).
  std::set<std::string> allowed;
  for (const auto& route : routes_) {
    if (!match_segments(route.segments, parts, args)) continue;
    for (Method rm : route.methods)
      allowed.insert(method_name(rm));
    if (allows(route, Method::Get)) allowed.insert("HEAD");
  }
  if (!allowed.empty()) allowed.insert("OPTIONS");
  result.allowed.assign(allowed.begin(), allowed.end());
  return result;
}

std::string Router::build(std::string_view endpoint,
                          const std::map<std::string, std::string>& params) const {
  auto it = std::find_if(routes_.begin(), routes_.end(),
                         [&](const Route& r) { return r.endpoint == endpoint; });
  if (it == routes_.end())
    throw std::invalid_argument("url_for: unknown endpoint '" + std::string(endpoint) + "'");
  std::string url;
  std::set<std::string, std::less<>> used;
  for (const auto& seg : it->segments) {
    url.push_back('/');
    if (seg.kind == Segment::Kind::Static) {
      url.append(seg.text);
      continue;
    }
    auto p = params.find(seg.text);
    if (p == params.end())
      throw std::invalid_argument("url_for(" + std::string(endpoint) + "): missing '" + seg.text +
                                  "'");
    if (seg.kind == Segment::Kind::Int && !is_int(p->second))
      throw std::invalid_argument("url_for(" + std::string(endpoint) + "): '" + seg.text +
                                  "' is not an integer");
    url.append(percent_encode(p->second, seg.kind == Segment::Kind::Path));
    used.insert(seg.text);
  }
  char sep = '?';
  for (const auto& [k, v] : params) {
    if (used.count(k)) continue;
    url.push_back(sep);
    sep = '&';
    url.append(percent_encode(k)).append("=").append(percent_encode(v));
  }
  return url;
}

} // namespace fh::detail
