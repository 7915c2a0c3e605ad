// The site's pages: home (layout + body), /page (variables, lists, nested dictionaries from JSON),
// /greet (query text echoed in every escaping context), /cookie and /request (a cookie with
// max_age, read back), /counter (a session counter) and /boom (an error, for the custom 500 page).
#include "site.hpp"

#include <cstdlib>
#include <stdexcept>

namespace site {
namespace {

fh::Response home(const Site&, fh::Request& rq) {
  return render_page(rq, "Home", "home.tpl", {});
}

// Variables, a list of scalars (TAGS), a list of rows each with a nested dictionary (ADDRESS)
// and a nested list (SKILLS): the JSON maps onto ctemplate sections (TemplateDict::merge).
fh::Response page(const Site&, fh::Request& rq) {
  // The process environment has REQUEST_METHOD only under CGI (FastCGI passes it per request).
  const char* mode = std::getenv("REQUEST_METHOD") != nullptr ? "CGI" : "FastCGI";
  const nlohmann::json data = {
      {"INTRO", "Variables, lists & nested dictionaries, all escaped by context."},
      {"SERVER", std::string(rq.env("SERVER_SOFTWARE").value_or("unknown"))},
      {"MODE", mode},
      {"TAGS", {"c++", "fastcgi", "<templates>"}},
      {"PEOPLE",
       {{{"NAME", "Ada"},
         {"ROLE", "engineer"},
         {"ADDRESS", {{"CITY", "London"}, {"COUNTRY", "UK"}}},
         {"SKILLS", {"math", "engines"}}},
        {{"NAME", "Grace"},
         {"ROLE", "admiral"},
         {"ADDRESS", {{"CITY", "Arlington"}, {"COUNTRY", "US"}}},
         {"SKILLS", {"COBOL", "compilers", "nanoseconds"}}}}},
      {"EMPTY_NOTE", false}};
  return render_page(rq, "Page", "page.tpl", fh::TemplateDict(data));
}

// Echoes ?name= and ?link= into the HTML body, attributes, a URL query, an event handler and a
// script block: the template's auto-escaping picks the right escape for each.
fh::Response greet(const Site&, fh::Request& rq) {
  fh::TemplateDict body;
  body.set("NAME", rq.args().get_or("name", "world"));
  body.set("LINK", rq.args().get_or("link", "https://example.org/"));
  return render_page(rq, "Greeting", "greet.tpl", std::move(body));
}

// Sets the cookie (value from ?value=, default "chocolate") for site.cookie_max_age seconds.
fh::Response cookie(const Site& s, fh::Request& rq) {
  const auto value = rq.args().get_or("value", "chocolate");
  if (value.empty() || value.size() > 64 ||
      value.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") !=
          std::string::npos)
    fh::abort(400, "value must be 1-64 letters, digits, '-' or '_'");
  fh::TemplateDict body;
  body.set("COOKIE", s.cookie_name).set("VALUE", value).set("MAX_AGE", s.cookie_max_age);
  auto r = render_page(rq, "Cookie", "cookie.tpl", std::move(body));
  fh::CookieOptions opt;
  opt.max_age = s.cookie_max_age;
  opt.secure = rq.scheme() == "https";
  r.set_cookie(s.cookie_name, value, opt);
  return r;
}

// Reads the cookie back and shows what the request carried.
fh::Response request_info(const Site& s, fh::Request& rq) {
  fh::TemplateDict body;
  body.set("COOKIE", s.cookie_name);
  if (auto v = rq.cookies().get(s.cookie_name))
    body.add_section("HAS_COOKIE").set("VALUE", *v);
  else
    body.show_section("NO_COOKIE");
  body.set("METHOD", rq.method()).set("PATH", rq.path()).set("URL", rq.url());
  body.set("REMOTE_ADDR", rq.remote_addr());
  for (const auto& [name, value] : rq.headers())
    if (name != "Cookie") body.add_section("HEADERS").set("NAME", name).set("VALUE", value);
  return render_page(rq, "Request", "request.tpl", std::move(body));
}

fh::Response counter(const Site&, fh::Request& rq) {
  auto& session = rq.session();
  const auto n = session.get<std::int64_t>("counter", 0) + 1;
  session.set("counter", n);
  fh::TemplateDict body;
  body.set("COUNT", n);
  return render_page(rq, "Counter", "counter.tpl", std::move(body));
}

} // namespace

void register_pages(fh::App& app, const SitePtr& site) {
  auto bind = [site](fh::Response (*view)(const Site&, fh::Request&)) {
    return [site, view](fh::Request& rq) { return view(*site, rq); };
  };
  app.route("/", {fh::GET}, bind(home), "home");
  app.route("/page", {fh::GET}, bind(page), "page");
  app.route("/greet", {fh::GET}, bind(greet), "greet");
  app.route("/cookie", {fh::GET}, bind(cookie), "cookie");
  app.route("/request", {fh::GET}, bind(request_info), "request");
  app.route("/counter", {fh::GET}, bind(counter), "counter");
  app.route(
      "/boom", {fh::GET},
      [](fh::Request&) -> fh::Response { throw std::runtime_error("boom: a deliberate failure"); },
      "boom");
}

} // namespace site
