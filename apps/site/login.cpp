// The login form: GET /login shows it with a CSRF token, POST /login checks the token (403
// without it), then the email and password against the accounts app's users table (argon2id
// hashes, fcgihost/password.hpp), and keeps the user in the session. POST /logout forgets it.
#include "site.hpp"

#include <fcgihost/csrf.hpp>
#include <fcgihost/password.hpp>
#include <fcgihost/sqlite.hpp>

#include <optional>

namespace site {
namespace {

struct Account {
  std::int64_t id;
  std::int64_t session_gen;
  std::string password_hash;
};

// The accounts app's user row for `email` (unique, case-insensitive), or nullopt.
std::optional<Account> find_account(fh::Request& rq, const std::string& email) {
  auto st =
      rq.db().query("SELECT id, session_gen, password_hash FROM users WHERE email = ?1", email);
  if (!st.step()) return std::nullopt;
  return Account{st.get_int64(0), st.get_int64(1), st.get_text(2)};
}

fh::Response login_form(const Site& s, fh::Request& rq, const std::string& email,
                        const std::string& error, int status) {
  fh::TemplateDict body;
  body.set("CSRF", fh::csrf_token(rq)).set("EMAIL", email);
  if (!error.empty()) body.add_section("ERROR").set("MESSAGE", error);
  return render_page(s, rq, "Sign in", "login.tpl", std::move(body), status);
}

fh::Response login_post(const Site& s, fh::Request& rq) {
  fh::require_csrf(rq);
  const auto email = rq.form().get_or("email", "");
  const auto password = rq.form().get_or("password", "");
  if (email.empty() || password.empty() || email.size() > 254 || password.size() > 1024)
    return login_form(s, rq, email, "Enter your email and password.", 400);
  const auto account = find_account(rq, email);
  // Same answer for an unknown user and a wrong password (no user enumeration).
  if (!account) (void)fh::verify_password(s.dummy_hash, password); // equal timing
  if (!account || !fh::verify_password(account->password_hash, password)) {
    fh::log(fh::LogLevel::Warning, "site: failed sign-in");
    return login_form(s, rq, email, "Wrong email or password.", 401);
  }
  // The accounts app's session format: a fresh session holding user_id and the user's
  // session_gen (sign-out anywhere bumps it, which ends every older cookie).
  auto& session = rq.session();
  session.clear();
  session.set("user_id", account->id);
  session.set("gen", account->session_gen);
  return fh::Response::redirect(rq.url_for("home"), 303);
}

fh::Response logout(fh::Request& rq) {
  fh::require_csrf(rq);
  if (const auto id = rq.session().get<std::int64_t>("user_id", 0); id > 0) {
    fh::sqlite::Transaction tx(rq.db());
    rq.db().execute("UPDATE users SET session_gen = session_gen + 1 WHERE id = ?1", id);
    tx.commit();
  }
  rq.session().clear();
  return fh::Response::redirect(rq.url_for("home"), 303);
}

} // namespace

std::string dummy_hash(const fh::Config& config) {
  const auto cost = config.get("password.cost", "interactive");
  if (cost == "minimum")
    return "$argon2id$v=19$m=8,t=1,p=1$zjxw5fIXrNW/EZ8ulXjrVg$j/"
           "bgHfnhyml4jqf4O2m9JfqIH09wbQnEqdctVkRqw0g";
  if (cost == "moderate")
    return "$argon2id$v=19$m=262144,t=3,p=1$ws/3Kw2JXdeF172hFP2Ucg$"
           "hq20fAm3m7A/s+klGfRZw14ltdYgL6VxZDwCULkj+sw";
  return "$argon2id$v=19$m=65536,t=2,p=1$3oGG7awUIPL11uby/rPQPA$"
         "J6m4daUT9vHGvjRXozaVfHt17rCWl/TBgEcMunr0dHI";
}

std::optional<std::string> signed_in_user(fh::Request& rq) {
  const auto id = rq.session().get<std::int64_t>("user_id", 0);
  if (id <= 0) return std::nullopt;
  auto st = rq.db().query("SELECT name, session_gen FROM users WHERE id = ?1", id);
  if (!st.step() || st.get_int64(1) != rq.session().get<std::int64_t>("gen", -1))
    return std::nullopt;
  return st.get_text(0);
}

void register_login(fh::App& app, const SitePtr& site) {
  app.route(
      "/login", {fh::GET}, [site](fh::Request& rq) { return login_form(*site, rq, "", "", 200); },
      "login");
  app.route(
      "/login", {fh::POST}, [site](fh::Request& rq) { return login_post(*site, rq); },
      "login_post");
  app.route("/logout", {fh::POST}, logout, "logout");
}

} // namespace site
