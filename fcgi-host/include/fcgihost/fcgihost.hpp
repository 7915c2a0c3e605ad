// Umbrella header: everything a handler needs.
#pragma once

#include "fcgihost/app.hpp"
#include "fcgihost/config.hpp"
#include "fcgihost/context.hpp"
#include "fcgihost/csrf.hpp"
#include "fcgihost/http_error.hpp"
#include "fcgihost/limits.hpp"
#include "fcgihost/log.hpp"
#include "fcgihost/main.hpp"
#include "fcgihost/multidict.hpp"
#include "fcgihost/password.hpp"
#include "fcgihost/request.hpp"
#include "fcgihost/response.hpp"
#include "fcgihost/session.hpp"
#include "fcgihost/sqlite.hpp"
#include "fcgihost/template.hpp"
#include "fcgihost/url.hpp"
