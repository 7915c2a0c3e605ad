// MultiDict lookups (linear: request dictionaries are small and ordered).
#include "fcgihost/multidict.hpp"

namespace fh {

std::optional<std::string> MultiDict::get(std::string_view key) const {
  for (const auto& [k, v] : items_)
    if (k == key) return v;
  return std::nullopt;
}

std::string MultiDict::get_or(std::string_view key, std::string_view fallback) const {
  auto v = get(key);
  return v ? *v : std::string(fallback);
}

std::vector<std::string> MultiDict::get_all(std::string_view key) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : items_)
    if (k == key) out.push_back(v);
  return out;
}

bool MultiDict::contains(std::string_view key) const {
  for (const auto& item : items_)
    if (item.first == key) return true;
  return false;
}

} // namespace fh
