// Limits: the configurable bounds every request is checked against (body, fields, headers,
// multipart parts). Exceeding the body limit is a 413; the others are 400 (or 431 for headers).
#pragma once

#include <cstddef>

namespace fh {

struct Limits {
  std::size_t max_body_bytes = 10 * 1024 * 1024; // request body; above: 413
  std::size_t max_header_bytes = 16 * 1024;      // one header (or cookie) value; above: 431
  // All of a request's meta-variables together (FastCGI params: headers + CGI variables), read
  // and thrown away past this (nginx's own default allows 4 x 8 KiB of headers); above: 431.
  std::size_t max_meta_bytes = 64 * 1024;
  std::size_t max_params = 1000;             // query/form fields, cookies; above: 400
  std::size_t max_param_bytes = 1024 * 1024; // one decoded field name or value; above: 400
  std::size_t max_multipart_parts = 100;     // parts in one multipart body; above: 400
  std::size_t max_json_depth = 128;          // nested arrays/objects in JSON; above: 400
};

} // namespace fh
