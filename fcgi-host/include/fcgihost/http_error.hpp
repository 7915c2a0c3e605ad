// HttpError: the one exception type that carries an HTTP status through the request path.
// Anything can throw it (parsers, handlers, abort()); App::handle maps it to a response.
#pragma once

#include <stdexcept>
#include <string>

namespace fh {

class HttpError : public std::runtime_error {
public:
  // `message` is short, safe to show to the client (one line, no internals).
  HttpError(int status, std::string message)
      : std::runtime_error(std::move(message)), status_(status) {}
  int status() const noexcept { return status_; }

private:
  int status_;
};

// Throws HttpError(status, message); message defaults to the status's reason phrase.
[[noreturn]] void abort(int status, std::string message = {});

// The reason phrase of an HTTP status ("Not Found"), or "Unknown" for a code we do not name.
const char* reason_phrase(int status) noexcept;

} // namespace fh
