// The dashboard's top-K and site-list queries (values reach SQL only through binds).
#include "top.hpp"

#include "aggregate.hpp"

namespace tw {

std::vector<TopEntry> query_top(fh::sqlite::Connection& db, TopKind kind,
                                const std::optional<std::string>& site, std::int64_t from,
                                std::int64_t to, int limit) {
  const bool paths = kind == TopKind::Paths;
  const std::string col = paths ? "path" : "addr";
  const std::string minutes = paths ? "minute_paths" : "minute_addrs";
  const std::string hours = paths ? "hour_paths" : "hour_addrs";
  const std::string sql = "SELECT " + col + ", sum(count) AS n FROM (SELECT * FROM " + minutes +
                          " UNION ALL SELECT * FROM " + hours +
                          ") WHERE (?1 IS NULL OR site = ?1) AND minute >= ?2 AND minute < ?3"
                          " GROUP BY " +
                          col + " ORDER BY n DESC, " + col + " LIMIT ?4";
  auto st = db.query(sql, site, minute_of(from), to, limit);
  std::vector<TopEntry> out;
  while (st.step())
    out.push_back({st.get_text(0), static_cast<std::uint64_t>(st.get_int64(1))});
  return out;
}

std::vector<std::string> query_sites(fh::sqlite::Connection& db) {
  auto st = db.query("SELECT site FROM minutes UNION SELECT site FROM hours ORDER BY site");
  std::vector<std::string> out;
  while (st.step())
    out.push_back(st.get_text(0));
  return out;
}

} // namespace tw
