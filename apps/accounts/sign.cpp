// Sign-up, sign-in (JSON or form), sign-out and /api/me, on the shared sign-in module
// (signin.hpp): the session holds the user's id and session generation (sign-out, a new password
// or a new email bump it, so a replayed old cookie is refused); sign-up never makes an admin;
// passwords are checked with argon2id and never logged; an unknown email costs the same hash
// verification as a wrong password, so response times do not reveal which emails exist; sign-in
// is throttled per email and per client address (signin.hpp: 429 + Retry-After).
#include "accounts.hpp"

namespace accounts {

void add_sign_routes(fh::Blueprint& api, const fh::PasswordCost& cost, const SigninLimits& limits) {
  add_route(
      api, "/sign/up", {fh::POST},
      [cost](fh::Request& rq) {
        auto user = create_user_from(rq.db(), input(rq, true), cost, false);
        start_session(rq, user["id"].get<std::int64_t>());
        return fh::Response::json(user, 201);
      },
      "sign_up");
  add_route(
      api, "/sign/in", {fh::POST},
      [cost, limits](fh::Request& rq) {
        const auto in = input(rq, true);
        const auto email = *email_field(in, true);
        const auto password = *string_field(in, "password", 1, kMaxPassword, true);
        const auto id = sign_in(rq, email, password, cost, limits);
        if (!id) throw fh::HttpError(401, "wrong email or password");
        start_session(rq, *id);
        return fh::Response::json(*find_user(rq.db(), *id));
      },
      "sign_in");
  add_route(
      api, "/sign/out", {fh::POST},
      [](fh::Request& rq) {
        end_session(rq);
        return fh::Response::json({{"signed_out", true}});
      },
      "sign_out");
  // The user authorize() found: no second query.
  add_route(
      api, "/me", {fh::GET},
      [](fh::Request& rq) { return fh::Response::json(rq.ctx<SignedInUser>().to_json()); }, "me");
}

} // namespace accounts
