// Serializes a Response into the CGI response format that both front ends write (RFC 3875 §6):
// "Status: 404 Not Found\r\n", the headers, Content-Type (default text/html) and Content-Length,
// a blank line, then the body (omitted for HEAD and for 1xx/204/304).
#pragma once

#include "fcgihost/response.hpp"

#include <string>

namespace fh::detail {

std::string serialize_response(const Response& response, bool head_request);

} // namespace fh::detail
