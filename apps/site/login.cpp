// The login form: GET /login shows it with a CSRF token, POST /login checks the token (403
// without it), then the email and password against the accounts app's users table through the
// shared sign-in module (signin.hpp: argon2id, equal timing for unknown emails, the accounts
// session format, the throttle), so one sign-in serves both apps. POST /logout signs out
// everywhere.
#include "site.hpp"

#include "signin.hpp"

namespace site {
namespace {

fh::Response login_form(fh::Request& rq, const std::string& email, const std::string& error,
                        int status) {
  fh::TemplateDict body;
  body.set("CSRF", fh::csrf_token(rq)).set("EMAIL", email);
  if (!error.empty()) body.add_section("ERROR").set("MESSAGE", error);
  return render_page(rq, "Sign in", "login.tpl", std::move(body), status);
}

fh::Response login_post(const Site& s, fh::Request& rq) {
  fh::require_csrf(rq);
  const auto email = rq.form().get_or("email", "");
  const auto password = rq.form().get_or("password", "");
  if (email.empty() || password.empty() || email.size() > 254 || password.size() > 1024)
    return login_form(rq, email, "Enter your email and password.", 400);
  // Same answer for an unknown user and a wrong password (no user enumeration).
  // Throttled (429 + Retry-After, on the error page) after repeated failures.
  const auto id = accounts::sign_in(rq, email, password, s.password_cost, s.signin_limits);
  if (!id) {
    fh::log(fh::LogLevel::Warning, "site: failed sign-in");
    return login_form(rq, email, "Wrong email or password.", 401);
  }
  accounts::start_session(rq, *id);
  return fh::Response::redirect(rq.url_for("home"), 303);
}

fh::Response logout(fh::Request& rq) {
  fh::require_csrf(rq);
  accounts::end_session(rq);
  return fh::Response::redirect(rq.url_for("home"), 303);
}

} // namespace

void register_login(fh::App& app, const SitePtr& site) {
  app.route(
      "/login", {fh::GET}, [](fh::Request& rq) { return login_form(rq, "", "", 200); }, "login");
  app.route(
      "/login", {fh::POST}, [site](fh::Request& rq) { return login_post(*site, rq); },
      "login_post");
  app.route("/logout", {fh::POST}, logout, "logout");
}

} // namespace site
