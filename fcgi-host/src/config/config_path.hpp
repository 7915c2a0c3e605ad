// Where an app finds its config when nothing names one: `NAME.ini` in the directory named by
// APP_CONFIG_DIR, else `NAME.ini` beside the executable (`site.cgi` -> `site.ini`). One
// APP_CONFIG_DIR serves every program of a cgi-bin (the CGI gateway gives them all the same
// environment), each reading its own file; the front ends use this fallback.
#pragma once

namespace fh::detail {

// If APP_CONFIG_FILE is unset, sets it to the first regular file of: $APP_CONFIG_DIR/NAME.ini,
// NAME.ini beside /proc/self/exe (NAME: the executable's file name without its extension).
// Never throws; does nothing on any error.
void default_config_beside_binary() noexcept;

} // namespace fh::detail
