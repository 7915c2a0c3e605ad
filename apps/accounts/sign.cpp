// Sign-up, sign-in (JSON or form), sign-out and /api/me. The session holds the user's id and
// session generation (sign-out, a new password or a new email bump it, so a replayed old cookie
// is refused); sign-up never makes an admin; passwords are checked with argon2id and never
// logged. An unknown email costs the same hash verification as a wrong password, so response
// times do not reveal which emails exist.
#include "accounts.hpp"

#include <memory>
#include <mutex>

namespace accounts {
namespace {

// Verifies against a hash of a random password when the email is unknown (equal timing).
std::optional<std::int64_t> check_credentials(fh::sqlite::Connection& db, const std::string& email,
                                              const std::string& password,
                                              const std::string& dummy_hash) {
  auto st = db.query("SELECT id, password_hash FROM users WHERE email = ?", email);
  if (!st.step()) {
    (void)fh::verify_password(dummy_hash, password);
    return std::nullopt;
  }
  const auto id = st.get_int64(0);
  const auto hash = st.get_text(1);
  if (!fh::verify_password(hash, password)) return std::nullopt;
  return id;
}

fh::Response sign_in(fh::Request& rq, const std::string& dummy_hash) {
  const auto in = input(rq, true);
  const auto email = *email_field(in, true);
  const auto password = *string_field(in, "password", 1, kMaxPassword, true);
  const auto id = check_credentials(rq.db(), email, password, dummy_hash);
  if (!id) throw fh::HttpError(401, "wrong email or password");
  start_session(rq, *id);
  return fh::Response::json(*find_user(rq.db(), *id));
}

fh::Response sign_out(fh::Request& rq) {
  auto& db = rq.db();
  fh::sqlite::Transaction tx(db);
  db.execute("UPDATE users SET session_gen = session_gen + 1 WHERE id = ?", current_user(rq));
  tx.commit();
  rq.session().clear();
  return fh::Response::json({{"signed_out", true}});
}

} // namespace

void start_session(fh::Request& rq, std::int64_t user_id) {
  auto st = rq.db().query("SELECT session_gen FROM users WHERE id = ?", user_id);
  const std::int64_t gen = st.step() ? st.get_int64(0) : 0;
  auto& s = rq.session();
  s.clear(); // a fresh session on every sign-in (no fixation of older contents)
  s.set("user_id", user_id);
  s.set("gen", gen);
}

std::optional<Principal> session_user(fh::Request& rq) {
  const auto id = current_user(rq);
  if (id <= 0) return std::nullopt;
  auto st = rq.db().query("SELECT session_gen, is_admin FROM users WHERE id = ?", id);
  if (!st.step() || st.get_int64(0) != rq.session().get<std::int64_t>("gen", -1))
    return std::nullopt;
  return Principal{id, st.get_int64(1) != 0};
}

std::int64_t current_user(fh::Request& rq) {
  return rq.session().get<std::int64_t>("user_id", 0);
}

void add_sign_routes(fh::Blueprint& api, const fh::PasswordCost& cost) {
  // Hashed on the first sign-in, not at start-up: a CGI process would pay a full argon2id hash
  // on every request otherwise. Then immutable and shared by every request thread.
  struct LazyHash {
    std::once_flag once;
    std::string value;
  };
  const auto lazy = std::make_shared<LazyHash>();
  const auto dummy = [lazy, cost]() -> const std::string& {
    std::call_once(lazy->once, [&] {
      lazy->value = fh::hash_password("no such user: timing equaliser", cost);
    });
    return lazy->value;
  };
  add_route(
      api, "/sign/up", {fh::POST},
      [cost](fh::Request& rq) {
        auto user = create_user_from(rq.db(), input(rq, true), cost, false);
        start_session(rq, user["id"].get<std::int64_t>());
        return fh::Response::json(user, 201);
      },
      "sign_up");
  add_route(
      api, "/sign/in", {fh::POST}, [dummy](fh::Request& rq) { return sign_in(rq, dummy()); },
      "sign_in");
  add_route(api, "/sign/out", {fh::POST}, sign_out, "sign_out");
  add_route(
      api, "/me", {fh::GET},
      [](fh::Request& rq) {
        auto user = find_user(rq.db(), current_user(rq));
        if (!user) throw fh::HttpError(404, "no such user");
        return fh::Response::json(*user);
      },
      "me");
}

} // namespace accounts
