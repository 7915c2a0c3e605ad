// The entry point contract: an app's sources define make_app(); the front end linked in by
// fh_add_app() (CGI or FastCGI) supplies main(), builds the app and serves it.
// `--config FILE` on either front end sets APP_CONFIG_FILE before make_app() runs.
#pragma once

#include "fcgihost/app.hpp"

// Defined once by every app (no app source contains main()).
fh::App make_app();
