// See signin.hpp: the credential check, the session (user_id + gen) and the signed-in user hook.
#include "signin.hpp"

namespace accounts {

nlohmann::json SignedInUser::to_json() const {
  return {
      {"id", id}, {"name", name}, {"email", email}, {"admin", admin}, {"created_at", created_at}};
}

std::optional<fh::Response> load_signed_in_user(fh::Request& rq) {
  const auto id = rq.session().get<std::int64_t>("user_id", 0);
  if (id <= 0) return std::nullopt;
  auto row = rq.db().one<std::string, std::string, bool, std::int64_t, std::int64_t>(
      "SELECT name, email, is_admin, created_at, session_gen FROM users WHERE id = ?", id);
  if (!row) return std::nullopt;
  auto& [name, email, admin, created_at, gen] = *row;
  if (gen != rq.session().get<std::int64_t>("gen", -1)) return std::nullopt;
  rq.set(SignedInUser{id, std::move(name), std::move(email), admin, created_at});
  return std::nullopt;
}

std::optional<std::int64_t> check_credentials(fh::sqlite::Connection& db, const std::string& email,
                                              const std::string& password,
                                              const fh::PasswordCost& cost) {
  auto row = db.one<std::int64_t, std::string>(
      "SELECT id, password_hash FROM users WHERE email = ?", email);
  const auto hash = row ? std::optional<std::string>(std::get<1>(*row)) : std::nullopt;
  if (!fh::check_password(hash, password, cost)) return std::nullopt;
  return std::get<0>(*row);
}

void start_session(fh::Request& rq, std::int64_t user_id) {
  const auto gen = rq.db().scalar<std::optional<std::int64_t>>(
      "SELECT session_gen FROM users WHERE id = ?", user_id);
  auto& s = rq.session();
  s.clear(); // a fresh session on every sign-in (no fixation of older contents)
  s.set("user_id", user_id);
  s.set("gen", gen.value_or(0));
}

void end_session(fh::Request& rq) {
  if (const auto* user = signed_in(rq)) {
    auto& db = rq.db();
    fh::sqlite::Transaction tx(db);
    db.execute("UPDATE users SET session_gen = session_gen + 1 WHERE id = ?", user->id);
    tx.commit();
  }
  rq.session().clear();
}

} // namespace accounts
