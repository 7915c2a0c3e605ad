// accounts: make_app() wires config, sessions, the database and the "api" blueprint; the
// blueprint's before_request hook (authorize, authz.cpp) checks every request against the
// permission table: 401 JSON without a valid session, 403 JSON when not allowed. Every error is
// answered as JSON {"error": ..., "field": ...}. There is deliberately no way around the check
// (no debug parameter, header or cookie).
#include "accounts.hpp"

namespace {

fh::Response json_error(fh::Request&, const fh::HttpError& e) {
  nlohmann::json body = {{"error", e.what()}};
  if (const auto* f = dynamic_cast<const accounts::FieldError*>(&e); f && !f->field().empty())
    body["field"] = f->field();
  return fh::Response::json(body, e.status());
}

} // namespace

fh::App make_app() {
  fh::App app("accounts");
  app.config().load_from_env("APP_CONFIG_FILE", true);
  const auto& cfg = app.config();
  app.use_sessions(fh::SessionSettings::from_config(cfg));
  app.use_database(fh::sqlite::DatabaseSettings::from_config(cfg, accounts::migrations()));
  const auto cost = fh::PasswordCost::from_config(cfg);

  fh::Blueprint api("api", "/api");
  accounts::add_user_routes(api, cost);
  accounts::add_group_routes(api);
  accounts::add_sign_routes(api, cost);
  api.before_request(accounts::authorize);
  app.register_blueprint(api);

  for (int status : {400, 401, 403, 404, 405, 409, 413, 414, 415, 431, 500, 503})
    app.errorhandler(status, json_error);
  app.after_request([](fh::Request&, fh::Response& rs) {
    rs.set_header("X-Content-Type-Options", "nosniff");
    rs.set_header("Cache-Control", "no-store");
  });
  return app;
}
