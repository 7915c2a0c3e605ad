// AccessList: parsing address/prefix entries and matching REMOTE_ADDR against them.
#include "access.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>
#include <optional>
#include <stdexcept>

namespace tw {
namespace {

// `text` as 16 bytes (IPv4 mapped into ::ffff:0:0/96) and whether it was IPv4.
std::optional<std::pair<std::array<std::uint8_t, 16>, bool>> parse_addr(std::string_view text) {
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  char buf[INET6_ADDRSTRLEN];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  std::array<std::uint8_t, 16> out{};
  in_addr v4{};
  if (::inet_pton(AF_INET, buf, &v4) == 1) {
    out[10] = out[11] = 0xff;
    std::memcpy(out.data() + 12, &v4, 4);
    return std::pair{out, true};
  }
  in6_addr v6{};
  if (::inet_pton(AF_INET6, buf, &v6) == 1) {
    std::memcpy(out.data(), &v6, 16);
    return std::pair{out, false};
  }
  return std::nullopt;
}

} // namespace

AccessList::AccessList(std::string_view spec) {
  while (!spec.empty()) {
    const auto start = spec.find_first_not_of(" \t,");
    if (start == std::string_view::npos) break;
    spec.remove_prefix(start);
    const auto end = spec.find_first_of(" \t,");
    const std::string_view entry = spec.substr(0, end);
    spec.remove_prefix(end == std::string_view::npos ? spec.size() : end);
    if (entry == "*") {
      any_ = true;
      continue;
    }
    const auto slash = entry.find('/');
    const auto addr = parse_addr(entry.substr(0, slash));
    if (!addr) throw std::invalid_argument("not an address: '" + std::string(entry) + "'");
    Net n;
    n.bytes = addr->first;
    const int max = addr->second ? 32 : 128;
    int prefix = max;
    if (slash != std::string_view::npos) {
      const auto p = entry.substr(slash + 1);
      const auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), prefix);
      if (p.empty() || ec != std::errc() || ptr != p.data() + p.size() || prefix < 0 ||
          prefix > max)
        throw std::invalid_argument("bad prefix length in '" + std::string(entry) + "'");
    }
    n.prefix = addr->second ? prefix + 96 : prefix;
    nets_.push_back(n);
  }
}

bool AccessList::allows(std::string_view addr) const {
  if (any_) return true;
  const auto a = parse_addr(addr);
  if (!a) return false;
  for (const auto& n : nets_) {
    int bits = n.prefix;
    bool match = true;
    for (std::size_t i = 0; i < 16 && bits > 0 && match; ++i, bits -= 8) {
      const std::uint8_t mask = bits >= 8 ? 0xff : static_cast<std::uint8_t>(0xff << (8 - bits));
      match = (a->first[i] & mask) == (n.bytes[i] & mask);
    }
    if (match) return true;
  }
  return false;
}

} // namespace tw
