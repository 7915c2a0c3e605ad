// MultiDict: an ordered list of (key, value) string pairs with several values per key, as query
// strings, forms and cookies need. Lookups are exact (case-sensitive); first value wins in get();
// get_as<T>() reads it as an integer (a 400 when it is none).
#pragma once

#include "fcgihost/http_error.hpp"

#include <charconv>
#include <concepts>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fh {

class MultiDict {
public:
  using Item = std::pair<std::string, std::string>;

  void add(std::string key, std::string value) {
    items_.emplace_back(std::move(key), std::move(value));
  }
  // First value for `key`, or nullopt.
  std::optional<std::string> get(std::string_view key) const;
  // First value for `key`, or `fallback`.
  std::string get_or(std::string_view key, std::string_view fallback) const;
  // First value for `key` as an integer of type T: nullopt when absent or empty; text that is
  // not an integer, or one T cannot hold, is the client's mistake: HttpError 400 naming `key`.
  template <std::integral T>
  requires(!std::same_as<T, bool>) std::optional<T> get_as(std::string_view key)
  const {
    const auto v = get(key);
    if (!v || v->empty()) return std::nullopt;
    T out{};
    const auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
    if (ec != std::errc() || end != v->data() + v->size())
      throw HttpError(400, std::string(key) + " must be an integer");
    return out;
  }
  // Every value for `key`, in order.
  std::vector<std::string> get_all(std::string_view key) const;
  bool contains(std::string_view key) const;
  std::size_t size() const noexcept { return items_.size(); }
  bool empty() const noexcept { return items_.empty(); }
  auto begin() const noexcept { return items_.begin(); }
  auto end() const noexcept { return items_.end(); }
  const std::vector<Item>& items() const noexcept { return items_; }

private:
  std::vector<Item> items_;
};

} // namespace fh
