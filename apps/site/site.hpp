// The site app's shared pieces: the Site object the handlers share (cookie settings) and the page
// helper that wraps a body template in the layout. Routes live in pages.cpp and login.cpp;
// make_app() in site.cpp wires them with config, sessions, templates and the database.
#pragma once

#include <fcgihost/fcgihost.hpp>

#include "signin.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace site {

// Owned by the App through the handlers' shared_ptr; immutable after make_app().
struct Site {
  std::string cookie_name = "flavor";
  long cookie_max_age = 3600;
  // The users' argon2id cost (config password.cost), for the sign-in check's timing.
  fh::PasswordCost password_cost = fh::PasswordCost::interactive();
  // The sign-in throttle (config signin.*), shared with the accounts app through its database.
  accounts::SigninLimits signin_limits;
};
using SitePtr = std::shared_ptr<const Site>;

// Sets every navigation URL (HOME_URL, PAGE_URL, ...) in `d`, relative to where the app is mounted.
void add_urls(fh::TemplateDict& d, const fh::Request& rq);
// layout.tpl with TITLE, the navigation, the signed-in user (from the request context, where the
// app's before_request hook accounts::load_signed_in_user put it) and
// `body_template` (expanded with `body`, which also gets the navigation URLs) as BODY.
fh::Response render_page(fh::Request& rq, std::string_view title, std::string_view body_template,
                         fh::TemplateDict body, int status = 200);

void register_pages(fh::App& app, const SitePtr& site);
void register_login(fh::App& app, const SitePtr& site);
// The JSON api blueprint under /api (api.cpp), with its own JSON error handlers.
void register_api(fh::App& app);

} // namespace site
