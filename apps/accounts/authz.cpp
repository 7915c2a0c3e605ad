// The accounts permission model, in one place: a table giving every api endpoint its rule, and
// the blueprint's before_request hook that enforces it (401 without a valid session, 403 JSON
// when the rule does not allow the signed-in user) before any view runs.
#include "accounts.hpp"

#include <stdexcept>

namespace accounts {
namespace {

enum class Rule {
  Anyone,     // no session needed
  SignedIn,   // any signed-in user
  Self,       // the user named by <int:id> in the path, or an admin
  GroupOwner, // the owner (creator) of group <int:id>, or an admin; an ownerless group: admins
  Admin,      // admins only
};

struct Permission {
  std::string_view endpoint;
  Rule rule;
};

// One row per route of the api blueprint (docs/handler-guide.md shows the same table).
// add_route() refuses a route whose endpoint is missing here; authorize() denies one (fail
// closed) should a route be registered some other way.
constexpr Permission kPermissions[] = {
    {"api.sign_up", Rule::Anyone},
    {"api.sign_in", Rule::Anyone},
    {"api.sign_out", Rule::SignedIn},
    {"api.me", Rule::SignedIn},
    {"api.users", Rule::Admin}, // every user's email
    {"api.create_user", Rule::Admin},
    {"api.user", Rule::Self},
    {"api.update_user", Rule::Self},
    {"api.delete_user", Rule::Self},
    {"api.groups", Rule::SignedIn},
    {"api.create_group", Rule::SignedIn}, // the creator becomes the owner
    {"api.group", Rule::SignedIn},
    {"api.update_group", Rule::GroupOwner},
    {"api.delete_group", Rule::GroupOwner},
    {"api.members", Rule::GroupOwner},
    {"api.add_member", Rule::GroupOwner},
    {"api.remove_member", Rule::GroupOwner},
};

std::optional<Rule> rule_for(std::string_view endpoint) {
  for (const auto& p : kPermissions)
    if (p.endpoint == endpoint) return p.rule;
  return std::nullopt;
}

bool owns_group(fh::Request& rq, std::int64_t user_id) {
  return rq.db().scalar<std::int64_t>("SELECT count(*) FROM groups WHERE id = ? AND owner_id = ?",
                                      rq.path_param<std::int64_t>("id"), user_id) > 0;
}

// The user comes from the database on every request (load_signed_in_user), so a grant or
// revocation of admin rights takes effect at once.
bool allows(Rule rule, const SignedInUser& who, fh::Request& rq) {
  if (who.admin) return true; // an admin manages every user and group
  switch (rule) {
  case Rule::Anyone:
  case Rule::SignedIn:
    return true;
  case Rule::Self:
    return who.may_read_user(rq.path_param<std::int64_t>("id"));
  case Rule::GroupOwner:
    return owns_group(rq, who.id);
  case Rule::Admin:
    return false;
  }
  return false;
}

} // namespace

std::int64_t current_user(const fh::Request& rq) {
  if (const auto* who = signed_in(rq)) return who->id;
  throw std::logic_error("accounts: current_user() on a route that needs no session");
}

std::optional<fh::Response> authorize(fh::Request& rq) {
  const auto rule = rule_for(rq.endpoint());
  if (!rule) {
    fh::log(fh::LogLevel::Error, "accounts: no permission rule for endpoint " + rq.endpoint());
    return fh::Response::json({{"error", "not allowed"}}, 403);
  }
  if (*rule == Rule::Anyone) return std::nullopt;
  const auto* who = signed_in(rq); // loaded by the app's before_request hook
  if (who == nullptr) {
    if (!rq.session().empty()) rq.session().clear(); // stale: delete the cookie
    return fh::Response::json({{"error", "sign in first"}}, 401);
  }
  if (allows(*rule, *who, rq)) return std::nullopt;
  return fh::Response::json({{"error", "not allowed"}}, 403);
}

void add_route(fh::Blueprint& api, std::string_view pattern,
               std::initializer_list<fh::Method> methods, fh::Handler handler,
               const std::string& endpoint) {
  if (!rule_for(api.name() + "." + endpoint))
    throw std::logic_error("accounts: endpoint " + api.name() + "." + endpoint +
                           " has no permission rule (authz.cpp)");
  api.route(pattern, methods, std::move(handler), endpoint);
}

} // namespace accounts
