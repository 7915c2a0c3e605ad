// fh::sys::reason_phrase: the HTTP reason phrase of a status code, shared by the library's
// response writer and the CGI gateway (which does not link the framework library).
#pragma once

namespace fh::sys {

// "Not Found" for 404, or "Unknown" for a code we do not name.
const char* reason_phrase(int status) noexcept;

} // namespace fh::sys
