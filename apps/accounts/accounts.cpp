// accounts: make_app() wires config, sessions, the database and the "api" blueprint. The app's
// before_request hook loads the signed-in user once (signin.hpp); the blueprint's hook
// (authorize, authz.cpp) checks every request against the permission table: 401 JSON without a
// valid session, 403 JSON when not allowed. Every error is answered as JSON {"error": ...}, with
// "field" for a FieldError (error handlers by type: the most derived registration wins). There
// is deliberately no way around the check (no debug parameter, header or cookie).
#include "accounts.hpp"

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
  accounts::add_sign_routes(api, cost, accounts::SigninLimits::from_config(cfg));
  api.before_request(accounts::authorize);
  app.before_request(accounts::load_signed_in_user);
  app.register_blueprint(api);

  // Every HttpError (404, 405 with Allow, 413, 503 with Retry-After, the 500 of an uncaught
  // exception...) as JSON; a FieldError also names its field.
  app.errorhandler<fh::HttpError>([](fh::Request&, const fh::HttpError& e) {
    return fh::Response::json({{"error", e.what()}}, e.status());
  });
  app.errorhandler<accounts::FieldError>([](fh::Request&, const accounts::FieldError& e) {
    nlohmann::json body = {{"error", e.what()}};
    if (!e.field().empty()) body["field"] = e.field();
    return fh::Response::json(body, e.status());
  });
  app.after_request([](fh::Request&, fh::Response& rs) {
    rs.set_header("X-Content-Type-Options", "nosniff");
    rs.set_header("Cache-Control", "no-store");
  });
  return app;
}
