// The site's small JSON API, a blueprint under /api: GET /api/whoami (the signed-in user from the
// request context, or 401) and GET /api/links (the pages, built with url_for). Its error
// handlers answer JSON (404, 405, 500...) while the rest of the site answers HTML pages.
#include "site.hpp"

#include "signin.hpp"

namespace site {
namespace {

fh::Response whoami(fh::Request& rq) {
  const auto* user = accounts::signed_in(rq); // loaded once by the app's before_request hook
  if (user == nullptr) fh::abort(401, "not signed in");
  return fh::Response::json({{"id", user->id}, {"name", user->name}});
}

fh::Response links(fh::Request& rq) {
  return fh::Response::json({{"self", rq.url_for(".links")}, // ".": this blueprint's endpoint
                             {"whoami", rq.url_for(".whoami")},
                             {"home", rq.url_for("home")}});
}

} // namespace

void register_api(fh::App& app) {
  fh::Blueprint api("api", "/api");
  api.route("/whoami", {fh::GET}, whoami, "whoami");
  api.route("/links", {fh::GET}, links, "links");
  api.errorhandler<fh::HttpError>([](fh::Request&, const fh::HttpError& e) {
    return fh::Response::json({{"error", e.what()}, {"status", e.status()}}, e.status());
  });
  app.register_blueprint(api);
}

} // namespace site
