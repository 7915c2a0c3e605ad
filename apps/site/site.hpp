// The site app's shared pieces: the Site object the handlers share (templates, cookie settings)
// and the page helper that wraps a body template in the layout. Routes live in pages.cpp and
// login.cpp; make_app() in site.cpp wires them with config, sessions and the database.
#pragma once

#include <fcgihost/fcgihost.hpp>
#include <fcgihost/template.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace site {

// Owned by the App through the handlers' shared_ptr; immutable after make_app() (the template
// cache inside is thread-safe).
struct Site {
  Site(std::filesystem::path templates_root, fh::TemplateOptions options)
      : templates(std::move(templates_root), options) {}
  fh::Templates templates;
  std::string cookie_name = "flavor";
  long cookie_max_age = 3600;
  // Verified instead of a real hash when the email is unknown, so that a failed sign-in takes
  // the same time either way (same argon2id cost as the users' hashes; see dummy_hash()).
  std::string dummy_hash;
};

// A fixed argon2id hash (of a throw-away text) for password.cost = interactive | moderate |
// minimum: precomputed, so a CGI start does not pay for hashing.
std::string dummy_hash(const fh::Config& config);
using SitePtr = std::shared_ptr<const Site>;

// Sets every navigation URL (HOME_URL, PAGE_URL, ...) in `d`, relative to where the app is mounted.
void add_urls(fh::TemplateDict& d, const fh::Request& rq);
// layout.tpl with TITLE, the navigation, the signed-in user and `body_template` (expanded with
// `body`, which also gets the navigation URLs) as BODY.
fh::Response render_page(const Site& site, fh::Request& rq, std::string_view title,
                         std::string_view body_template, fh::TemplateDict body, int status = 200);

// The signed-in user's name: the session's user_id must name a user whose session_gen still
// matches (the accounts app's rule), else nullopt. Reads the database only when signed in.
std::optional<std::string> signed_in_user(fh::Request& rq);

void register_pages(fh::App& app, const SitePtr& site);
void register_login(fh::App& app, const SitePtr& site);

} // namespace site
