// The trafficwatch dashboard: GET / (server-rendered HTML with SVG charts, alerts, top paths
// and clients, window and site choosers, self-refreshing), GET /api/top (the top lists as
// JSON), GET /static/NAME (the stylesheet and the optional refresh script), and the access
// check every route of the app goes through (config access.allow, default loopback only).
#pragma once

#include <fcgihost/fcgihost.hpp>

namespace tw {

// Registers the routes and the access check on `app`. Reads dashboard.templates,
// dashboard.static (default: the source tree's directories) and access.allow from the app's
// config. Throws fh::ConfigError on a bad access.allow.
void register_dashboard(fh::App& app);

} // namespace tw
