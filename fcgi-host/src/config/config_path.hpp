// Where an app finds its config when nothing names one: `NAME.ini` beside the executable
// (`site.cgi` -> `site.ini`). A CGI gateway passes only RFC 3875 variables to a CGI program, so
// APP_CONFIG_FILE cannot reach it through the environment; the front ends use this fallback.
#pragma once

namespace fh::detail {

// If APP_CONFIG_FILE is unset and NAME.ini exists beside /proc/self/exe, sets APP_CONFIG_FILE
// to it. Never throws; does nothing on any error.
void default_config_beside_binary() noexcept;

} // namespace fh::detail
