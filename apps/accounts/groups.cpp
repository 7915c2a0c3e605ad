// /api/groups (list, create), /api/groups/<int:id> (get, PUT, DELETE) and membership:
// /api/groups/<int:id>/members (GET list, POST {user_id}, DELETE ?user_id=). A group's creator
// is its owner (owner_id); authz.cpp decides who may change it. Member lists show ids, a name
// only where the caller may read that user (an admin, or the caller's own entry), never email.
#include "accounts.hpp"

#include <ctime>

namespace accounts {
namespace {

constexpr const char* kGroupColumns =
    "SELECT id, name, description, created_at, owner_id FROM groups";

nlohmann::json group_json(const fh::sqlite::Statement& st) {
  return {{"id", st.get_int64(0)},
          {"name", st.get_text(1)},
          {"description", st.get_text(2)},
          {"owner_id", st.is_null(4) ? nlohmann::json() : nlohmann::json(st.get_int64(4))},
          {"created_at", st.get_int64(3)}};
}

std::optional<nlohmann::json> find_group(fh::sqlite::Connection& db, std::int64_t id) {
  auto st = db.query(std::string(kGroupColumns) + " WHERE id = ?", id);
  if (!st.step()) return std::nullopt;
  return group_json(st);
}

std::int64_t group_param(fh::Request& rq) {
  const auto id = rq.path_param<std::int64_t>("id");
  if (!find_group(rq.db(), id)) throw fh::HttpError(404, "no such group");
  return id;
}

fh::Response list_groups(fh::Request& rq) {
  const Page p = page_args(rq);
  auto& db = rq.db();
  const auto total = db.scalar<std::int64_t>("SELECT COUNT(*) FROM groups");
  auto st = db.query(std::string(kGroupColumns) + " ORDER BY id LIMIT ? OFFSET ?", p.per_page,
                     p.offset());
  auto items = nlohmann::json::array();
  while (st.step())
    items.push_back(group_json(st));
  return fh::Response::json(page_json("groups", std::move(items), p, total));
}

fh::Response create_group(fh::Request& rq) {
  const auto in = input(rq);
  const auto name = *string_field(in, "name", 1, kMaxName, true);
  const auto description = string_field(in, "description", 0, kMaxDescription, false);
  auto& db = rq.db();
  fh::sqlite::Transaction tx(db);
  auto st = db.query(
      "INSERT INTO groups (name, description, owner_id, created_at) VALUES (?, ?, ?, ?)", name,
      description.value_or(""), current_user(rq), static_cast<std::int64_t>(std::time(nullptr)));
  if (st.try_step() == fh::sqlite::Step::Constraint)
    throw FieldError(409, "a group with this name exists", "name");
  auto group = find_group(db, db.last_insert_rowid());
  tx.commit();
  return fh::Response::json(*group, 201);
}

fh::Response update_group(fh::Request& rq) {
  const auto id = group_param(rq);
  const auto in = input(rq);
  const auto name = string_field(in, "name", 1, kMaxName, false);
  const auto description = string_field(in, "description", 0, kMaxDescription, false);
  auto& db = rq.db();
  fh::sqlite::Transaction tx(db);
  auto st = db.query("UPDATE groups SET name = coalesce(?, name), "
                     "description = coalesce(?, description) WHERE id = ?",
                     name, description, id);
  if (st.try_step() == fh::sqlite::Step::Constraint)
    throw FieldError(409, "a group with this name exists", "name");
  if (db.changes() == 0) throw fh::HttpError(404, "no such group");
  auto group = find_group(db, id);
  tx.commit();
  return fh::Response::json(*group);
}

fh::Response delete_group(fh::Request& rq) {
  const auto id = rq.path_param<std::int64_t>("id");
  auto& db = rq.db();
  fh::sqlite::Transaction tx(db);
  if (db.execute("DELETE FROM groups WHERE id = ?", id) == 0)
    throw fh::HttpError(404, "no such group");
  tx.commit();
  return fh::Response(std::string(), 204);
}

fh::Response list_members(fh::Request& rq) {
  const auto id = group_param(rq);
  const Page p = page_args(rq);
  auto& db = rq.db();
  const auto total =
      db.scalar<std::int64_t>("SELECT COUNT(*) FROM memberships WHERE group_id = ?", id);
  auto st = db.query("SELECT u.id, u.name FROM memberships m "
                     "JOIN users u ON u.id = m.user_id WHERE m.group_id = ? "
                     "ORDER BY u.id LIMIT ? OFFSET ?",
                     id, p.per_page, p.offset());
  // Only the names the caller may read anyway (GET /api/users/<id>): an owner could otherwise
  // learn any user's name by adding ids to their group.
  const auto& who = rq.ctx<SignedInUser>();
  auto items = nlohmann::json::array();
  while (st.step()) {
    const auto uid = st.get_int64(0);
    items.push_back(
        {{"id", uid},
         {"name", who.may_read_user(uid) ? nlohmann::json(st.get_text(1)) : nlohmann::json()}});
  }
  return fh::Response::json(page_json("members", std::move(items), p, total));
}

fh::Response add_member(fh::Request& rq) {
  const auto id = group_param(rq);
  const auto user_id = id_field(input(rq), "user_id", false);
  auto& db = rq.db();
  fh::sqlite::Transaction tx(db);
  if (!find_user(db, user_id)) throw FieldError(404, "no such user", "user_id");
  auto st = db.query("INSERT INTO memberships (group_id, user_id) VALUES (?, ?)", id, user_id);
  if (st.try_step() == fh::sqlite::Step::Constraint)
    throw FieldError(409, "the user is already a member", "user_id");
  tx.commit();
  return fh::Response::json({{"group_id", id}, {"user_id", user_id}}, 201);
}

fh::Response remove_member(fh::Request& rq) {
  const auto id = group_param(rq);
  nlohmann::json args = nlohmann::json::object();
  if (auto u = rq.args().get("user_id")) args["user_id"] = *u;
  const auto user_id = id_field(args, "user_id", true);
  auto& db = rq.db();
  fh::sqlite::Transaction tx(db);
  if (db.execute("DELETE FROM memberships WHERE group_id = ? AND user_id = ?", id, user_id) == 0)
    throw FieldError(404, "the user is not a member", "user_id");
  tx.commit();
  return fh::Response(std::string(), 204);
}

} // namespace

void add_group_routes(fh::Blueprint& api) {
  add_route(api, "/groups", {fh::GET}, list_groups, "groups");
  add_route(api, "/groups", {fh::POST}, create_group, "create_group");
  add_route(
      api, "/groups/<int:id>", {fh::GET},
      [](fh::Request& rq) {
        auto group = find_group(rq.db(), rq.path_param<std::int64_t>("id"));
        if (!group) throw fh::HttpError(404, "no such group");
        return fh::Response::json(*group);
      },
      "group");
  add_route(api, "/groups/<int:id>", {fh::PUT}, update_group, "update_group");
  add_route(api, "/groups/<int:id>", {fh::DELETE}, delete_group, "delete_group");
  add_route(api, "/groups/<int:id>/members", {fh::GET}, list_members, "members");
  add_route(api, "/groups/<int:id>/members", {fh::POST}, add_member, "add_member");
  add_route(api, "/groups/<int:id>/members", {fh::DELETE}, remove_member, "remove_member");
}

} // namespace accounts
