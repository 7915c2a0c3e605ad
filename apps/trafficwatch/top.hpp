// Dashboard queries over the ingest's store: the most frequent paths and client addresses of a
// time range (minutes and rolled-up hours), and the sites that have any data.
#pragma once

#include <fcgihost/sqlite.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tw {

struct TopEntry {
  std::string key; // a path or a client address
  std::uint64_t count = 0;
};

enum class TopKind { Paths, Addrs };

// The `limit` keys with the highest counts over [from, to) (minute resolution; hours once
// rolled up), one site or all, highest first, ties by key. Counts are what the ingest kept:
// exact for the heavy hitters, a lower bound in the tail (top K per batch).
std::vector<TopEntry> query_top(fh::sqlite::Connection& db, TopKind kind,
                                const std::optional<std::string>& site, std::int64_t from,
                                std::int64_t to, int limit);

// Every site with stored minutes or hours, sorted.
std::vector<std::string> query_sites(fh::sqlite::Connection& db);

} // namespace tw
