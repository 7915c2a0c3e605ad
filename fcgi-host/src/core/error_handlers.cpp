// ErrorHandlers: registration and lookup. Which registered type is "more derived" is found once,
// at registration, with the pointer rule of catch clauses: a thrown `D*` is caught as `const B*`
// exactly when B is an unambiguous public base of D (or D itself), which is also when a handler
// for B would catch a D. Each type's depth is the number of other registered types it derives
// from; sorting by depth (stable, deepest first) puts every type before all of its bases, so the
// first match at request time is the most derived one.
#include "fcgihost/error_handlers.hpp"

#include <algorithm>

namespace fh {
namespace {

// True if a handler registered for `base` would catch an exception of type `derived`.
bool derives(const ErrorHandlers::TypeEntry& derived, const ErrorHandlers::TypeEntry& base) {
  try {
    derived.throw_pointer();
  } catch (...) {
    return base.catches_pointer();
  }
  return false;
}

} // namespace

void ErrorHandlers::on_status(int status, ErrorHandler handler) {
  by_status_[status] = std::move(handler);
}

const ErrorHandler* ErrorHandlers::for_status(int status) const {
  auto it = by_status_.find(status);
  return it == by_status_.end() ? nullptr : &it->second;
}

const ErrorHandlers::TypeEntry* ErrorHandlers::find(std::type_index type) const {
  for (const auto& e : by_type_)
    if (e.type == type) return &e;
  return nullptr;
}

const ErrorHandlers::TypeEntry* ErrorHandlers::for_exception(const std::exception_ptr& ep) const {
  for (const auto& e : by_type_)
    if (e.matches(ep)) return &e;
  return nullptr;
}

void ErrorHandlers::add(TypeEntry e) {
  auto same = std::find_if(by_type_.begin(), by_type_.end(),
                           [&](const TypeEntry& x) { return x.type == e.type; });
  if (same != by_type_.end())
    *same = std::move(e);
  else
    by_type_.push_back(std::move(e));
  std::vector<std::size_t> depth(by_type_.size(), 0);
  for (std::size_t i = 0; i < by_type_.size(); ++i)
    for (std::size_t j = 0; j < by_type_.size(); ++j)
      if (i != j && derives(by_type_[i], by_type_[j])) ++depth[i];
  std::vector<std::pair<std::size_t, TypeEntry>> ranked;
  for (std::size_t i = 0; i < by_type_.size(); ++i)
    ranked.emplace_back(depth[i], std::move(by_type_[i]));
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  by_type_.clear();
  for (auto& [rank, x] : ranked)
    by_type_.push_back(std::move(x));
}

} // namespace fh
