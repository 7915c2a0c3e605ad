// /api/users: list (paginated), create, and /api/users/<int:id>: get, update (PUT, any of name,
// email, password), delete. Who may call which is authz.cpp's business, not these handlers'.
// Writes run in an IMMEDIATE transaction; a duplicate email is 409. A new password or email ends
// every session of that user; the caller's own session, if it is that user's, is renewed.
#include "accounts.hpp"

#include <ctime>

namespace accounts {
namespace {

nlohmann::json user_json(const fh::sqlite::Statement& st) {
  return {{"id", st.get_int64(0)},
          {"name", st.get_text(1)},
          {"email", st.get_text(2)},
          {"admin", st.get_int64(4) != 0},
          {"created_at", st.get_int64(3)}};
}

constexpr const char* kUserColumns = "SELECT id, name, email, created_at, is_admin FROM users";

std::int64_t user_param(fh::Request& rq) {
  const auto id = rq.path_param<std::int64_t>("id");
  if (!find_user(rq.db(), id)) throw fh::HttpError(404, "no such user");
  return id;
}

fh::Response list_users(fh::Request& rq) {
  const Page p = page_args(rq);
  auto& db = rq.db();
  const auto total = db.scalar<std::int64_t>("SELECT COUNT(*) FROM users");
  auto st =
      db.query(std::string(kUserColumns) + " ORDER BY id LIMIT ? OFFSET ?", p.per_page, p.offset());
  auto items = nlohmann::json::array();
  while (st.step())
    items.push_back(user_json(st));
  return fh::Response::json(page_json("users", std::move(items), p, total));
}

fh::Response update_user(fh::Request& rq, const fh::PasswordCost& cost) {
  const auto id = user_param(rq);
  const auto in = input(rq);
  refuse_admin_field(in);
  const auto name = string_field(in, "name", 1, kMaxName, false);
  const auto email = email_field(in, false);
  const auto password = new_password_field(in, false);
  std::optional<std::string> hash;
  if (password) hash = fh::hash_password(*password, cost); // slow: outside the write lock
  // New credentials end every session of the user: session_gen + 1 invalidates older cookies.
  const std::int64_t revoke = (password || email) ? 1 : 0;
  auto& db = rq.db();
  fh::sqlite::Transaction tx(db);
  auto st = db.query("UPDATE users SET name = coalesce(?, name), email = coalesce(?, email), "
                     "password_hash = coalesce(?, password_hash), session_gen = session_gen + ? "
                     "WHERE id = ?",
                     name, email, hash, revoke, id);
  if (st.try_step() == fh::sqlite::Step::Constraint)
    throw FieldError(409, "email is already registered", "email");
  if (db.changes() == 0) throw fh::HttpError(404, "no such user"); // deleted meanwhile
  auto user = find_user(db, id);
  tx.commit();
  if (revoke && id == current_user(rq)) start_session(rq, id); // this client: a fresh cookie
  return fh::Response::json(*user);
}

fh::Response delete_user(fh::Request& rq) {
  const auto id = user_param(rq);
  auto& db = rq.db();
  fh::sqlite::Transaction tx(db);
  if (db.execute("DELETE FROM users WHERE id = ?", id) == 0)
    throw fh::HttpError(404, "no such user");
  tx.commit();
  if (id == current_user(rq)) rq.session().clear(); // deleted yourself: signed out
  return fh::Response(std::string(), 204);
}

} // namespace

std::optional<nlohmann::json> find_user(fh::sqlite::Connection& db, std::int64_t id) {
  auto st = db.query(std::string(kUserColumns) + " WHERE id = ?", id);
  if (!st.step()) return std::nullopt;
  return user_json(st);
}

// Inserts a user; 409 naming "email" if it is taken. Returns the new id.
std::int64_t create_user(fh::sqlite::Connection& db, const std::string& name,
                         const std::string& email, const std::string& password_hash, bool admin) {
  fh::sqlite::Transaction tx(db);
  auto st =
      db.query("INSERT INTO users (name, email, password_hash, is_admin, created_at) "
               "VALUES (?, ?, ?, ?, ?)",
               name, email, password_hash, admin, static_cast<std::int64_t>(std::time(nullptr)));
  if (st.try_step() == fh::sqlite::Step::Constraint)
    throw FieldError(409, "email is already registered", "email");
  const auto id = db.last_insert_rowid();
  tx.commit();
  return id;
}

// Validates name, email and password from `in` and creates the user; returns its JSON.
nlohmann::json create_user_from(fh::sqlite::Connection& db, const nlohmann::json& in,
                                const fh::PasswordCost& cost, bool admin) {
  refuse_admin_field(in);
  const auto name = *string_field(in, "name", 1, kMaxName, true);
  const auto email = *email_field(in, true);
  const auto password = *new_password_field(in, true);
  const auto id = create_user(db, name, email, fh::hash_password(password, cost), admin);
  return *find_user(db, id);
}

void add_user_routes(fh::Blueprint& api, const fh::PasswordCost& cost) {
  add_route(api, "/users", {fh::GET}, list_users, "users");
  add_route(
      api, "/users", {fh::POST},
      [cost](fh::Request& rq) {
        return fh::Response::json(create_user_from(rq.db(), input(rq), cost, false), 201);
      },
      "create_user");
  add_route(
      api, "/users/<int:id>", {fh::GET},
      [](fh::Request& rq) {
        auto user = find_user(rq.db(), rq.path_param<std::int64_t>("id"));
        if (!user) throw fh::HttpError(404, "no such user");
        return fh::Response::json(*user);
      },
      "user");
  add_route(
      api, "/users/<int:id>", {fh::PUT}, [cost](fh::Request& rq) { return update_user(rq, cost); },
      "update_user");
  add_route(api, "/users/<int:id>", {fh::DELETE}, delete_user, "delete_user");
}

} // namespace accounts
