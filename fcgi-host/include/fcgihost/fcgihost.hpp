// Umbrella header: everything a handler needs.
#pragma once

#include "fcgihost/app.hpp"
#include "fcgihost/http_error.hpp"
#include "fcgihost/limits.hpp"
#include "fcgihost/log.hpp"
#include "fcgihost/main.hpp"
#include "fcgihost/multidict.hpp"
#include "fcgihost/request.hpp"
#include "fcgihost/response.hpp"
