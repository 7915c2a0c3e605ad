// Who may use the trafficwatch web app: a list of client addresses and networks (IPv4/IPv6,
// with an optional /prefix, or "*") checked against REMOTE_ADDR. The dashboard and the API show
// client addresses, so the default is the loopback only.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tw {

class AccessList {
public:
  // `spec`: space-separated entries, e.g. "127.0.0.1 ::1 10.0.0.0/8 fd00::/8", or "*" (anyone).
  // Throws std::invalid_argument naming the entry that does not parse.
  explicit AccessList(std::string_view spec);
  // Whether `addr` (REMOTE_ADDR) is admitted; an empty or unparsable address never is. An
  // IPv4-mapped IPv6 address (::ffff:a.b.c.d) counts as the IPv4 address.
  bool allows(std::string_view addr) const;

private:
  struct Net {
    std::array<std::uint8_t, 16> bytes{}; // IPv4 as ::ffff:a.b.c.d
    int prefix = 128;
  };
  std::vector<Net> nets_;
  bool any_ = false;
};

inline constexpr const char* kDefaultAccess = "127.0.0.1 ::1";

} // namespace tw
