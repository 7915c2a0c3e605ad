// HttpError: the exception that carries an HTTP status (and headers the answer needs, such as
// Allow or Retry-After) through the request path. Anything can throw it (parsers, handlers,
// abort()); App::handle turns it into a response through the app's error handlers.
#pragma once

#include <fh/sys/http_status.hpp>

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace fh {

class HttpError : public std::runtime_error {
public:
  using Header = std::pair<std::string, std::string>;
  // `message` is short, safe to show to the client (one line, no internals). `headers` go on the
  // error response whichever handler builds it, unless that handler set the same header itself.
  HttpError(int status, const std::string& message, std::vector<Header> headers = {})
      : std::runtime_error(message), status_(status), headers_(std::move(headers)) {}
  int status() const noexcept { return status_; }
  const std::vector<Header>& headers() const noexcept { return headers_; }

private:
  int status_;
  std::vector<Header> headers_;
};

// Throws HttpError(status, message); message defaults to the status's reason phrase.
[[noreturn]] void abort(int status, std::string message = {});

// The reason phrase of an HTTP status ("Not Found"), or "Unknown" for a code we do not name.
using sys::reason_phrase;

} // namespace fh
