// Context: the per-request typed store behind Request::set / ctx / find (Flask's `g`). One value
// per type; a hook stores what it loaded (the signed-in user) and handlers read it by type.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <vector>

namespace fh {

class Context {
public:
  Context() = default;
  Context(Context&&) noexcept = default;
  Context& operator=(Context&&) noexcept = default;
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;
  ~Context() = default;

  // Stores a T built from `args` (replacing a T stored before) and returns it.
  template <class T, class... A> T& emplace(A&&... args) {
    static_assert(std::is_same_v<T, std::decay_t<T>>, "store a plain value type");
    auto owned = std::make_unique<Holder<T>>(std::forward<A>(args)...);
    T& ref = owned->value;
    for (auto& slot : slots_)
      if (slot.key == &key<T>) {
        slot.value = std::move(owned);
        return ref;
      }
    slots_.push_back(Slot{&key<T>, std::move(owned)});
    return ref;
  }
  // The stored T, or nullptr.
  template <class T> T* find() noexcept {
    for (auto& slot : slots_)
      if (slot.key == &key<T>) return &static_cast<Holder<T>*>(slot.value.get())->value;
    return nullptr;
  }
  template <class T> const T* find() const noexcept {
    return const_cast<Context*>(this)->find<T>(); // NOLINT: same object, const view
  }
  // The stored T; throws std::logic_error when none was stored (a hook that should have set it
  // did not run: a bug, answered 500).
  template <class T> T& get() {
    if (T* v = find<T>()) return *v;
    throw std::logic_error(std::string("the request context holds no ") + typeid(T).name());
  }

private:
  struct Base {
    virtual ~Base() = default;
  };
  template <class T> struct Holder final : Base {
    template <class... A> explicit Holder(A&&... args) : value(std::forward<A>(args)...) {}
    T value;
  };
  // One address per type (an inline variable template is one object across translation units).
  template <class T> static constexpr char key = 0;
  struct Slot {
    const void* key;
    std::unique_ptr<Base> value;
  };
  std::vector<Slot> slots_; // a handful of entries: a linear search beats a map
};

} // namespace fh
