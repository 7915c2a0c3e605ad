// CSRF protection for form POSTs: a random token kept in the session, echoed by the form (field
// "csrf_token") or by script (header "X-CSRF-Token"), compared in constant time.
#pragma once

#include <string>

namespace fh {

class Request;

// The session's CSRF token, created (32 random bytes, base64url) on first use. Put it in every
// form: <input type="hidden" name="csrf_token" value="...">. Needs sessions on the app.
std::string csrf_token(Request& rq);
// Throws HttpError 403 unless the request carries the session's token.
void require_csrf(Request& rq);

} // namespace fh
