// ErrorHandlers: the error handlers of an App or a Blueprint, by status (abort(404)-style) and by
// exception type. A handler for type E catches E and its subclasses; when several registered
// types match an exception, the most derived one wins (Flask's rule, walking the class
// hierarchy). A mapping turns an exception type into an HttpError that then goes through the
// handlers like any other (sqlite::Busy -> 503 + Retry-After).
#pragma once

#include "fcgihost/http_error.hpp"
#include "fcgihost/response.hpp"

#include <exception>
#include <functional>
#include <map>
#include <type_traits>
#include <typeindex>
#include <typeinfo>
#include <vector>

namespace fh {

class Request;

using ErrorHandler = std::function<Response(Request&, const HttpError&)>;

class ErrorHandlers {
public:
  // One registration per exception type (or status): registering it again replaces it.
  struct TypeEntry {
    std::type_index type = typeid(void);
    bool (*matches)(const std::exception_ptr&) = nullptr; // the exception is an E
    void (*throw_pointer)() = nullptr;                    // throws a null E*
    bool (*catches_pointer)() = nullptr; // inside a catch: the current exception is an E*
    std::function<Response(Request&, const std::exception_ptr&)> handle; // or:
    std::function<HttpError(const std::exception_ptr&)> map;
  };

  void on_status(int status, ErrorHandler handler);
  // `handler(Request&, const E&)` returns the Response.
  template <class E, class F> void on_type(F&& handler) {
    static_assert(std::is_invocable_r_v<Response, F&, Request&, const E&>,
                  "an error handler for E is called as handler(Request&, const E&) -> Response");
    TypeEntry e = entry<E>();
    e.handle = [h = std::forward<F>(handler)](Request& rq,
                                              const std::exception_ptr& ep) -> Response {
      try {
        std::rethrow_exception(ep);
      } catch (const E& ex) {
        return h(rq, ex);
      }
    };
    add(std::move(e));
  }
  // `to_http(const E&)` returns the HttpError that stands for E.
  template <class E, class F> void map_type(F&& to_http) {
    static_assert(std::is_invocable_r_v<HttpError, F&, const E&>,
                  "a mapping for E is called as to_http(const E&) -> HttpError");
    TypeEntry e = entry<E>();
    e.map = [f = std::forward<F>(to_http)](const std::exception_ptr& ep) -> HttpError {
      try {
        std::rethrow_exception(ep);
      } catch (const E& ex) {
        return f(ex);
      }
    };
    add(std::move(e));
  }
  template <class E> bool has_type() const { return find(typeid(E)) != nullptr; }

  // The handler for `status`, or nullptr.
  const ErrorHandler* for_status(int status) const;
  // The entry of the most derived registered type that `ep` is an instance of, or nullptr.
  const TypeEntry* for_exception(const std::exception_ptr& ep) const;
  bool empty() const noexcept { return by_status_.empty() && by_type_.empty(); }

private:
  template <class E> static TypeEntry entry() {
    static_assert(std::is_class_v<E>, "error handlers are registered for class types");
    TypeEntry e;
    e.type = typeid(E);
    e.matches = [](const std::exception_ptr& ep) {
      try {
        std::rethrow_exception(ep);
      } catch (const E&) {
        return true;
      } catch (...) {
        return false;
      }
    };
    e.throw_pointer = [] { throw static_cast<E*>(nullptr); };
    e.catches_pointer = [] {
      try {
        throw;
      } catch (const E*) {
        return true;
      } catch (...) {
        return false;
      }
    };
    return e;
  }
  const TypeEntry* find(std::type_index type) const;
  // Adds or replaces, then re-sorts by_type_ most derived first.
  void add(TypeEntry e);

  std::map<int, ErrorHandler> by_status_;
  std::vector<TypeEntry> by_type_; // most derived first; unrelated types in registration order
};

} // namespace fh
