// The entry point contract: an app's sources define make_app(); the front end linked in by
// fh_add_app() (CGI or FastCGI) supplies main(), builds the app and serves it.
// The FastCGI worker's `--config FILE` sets APP_CONFIG_FILE before make_app() runs; the CGI
// front end never reads its arguments (a server may build them from the query string) and takes
// APP_CONFIG_FILE, else $APP_CONFIG_DIR/NAME.ini, else NAME.ini beside the binary.
#pragma once

#include "fcgihost/app.hpp"

// Defined once by every app (no app source contains main()).
fh::App make_app();
