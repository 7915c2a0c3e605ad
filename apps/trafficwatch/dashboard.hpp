// The trafficwatch dashboard: GET / (server-rendered HTML with SVG charts, alerts, top paths
// and clients, window and site choosers, self-refreshing), GET /api/top (the top lists as
// JSON), GET /static/NAME (the stylesheet and the optional refresh script), and the access
// check every route of the app goes through (config access.allow, default loopback only).
#pragma once

#include <fcgihost/fcgihost.hpp>

namespace tw {

// Registers the routes and the access check on `app`, and the app's templates
// (App::use_templates: trafficwatch.templates/ beside the binary unless config templates.root
// says otherwise). Reads access.allow from the app's config; throws fh::ConfigError on a bad one.
void register_dashboard(fh::App& app);

} // namespace tw
