// The SQLite schema and queries of trafficwatch; values reach SQL only through binds.
#include "store.hpp"

#include <algorithm>
#include <string_view>

namespace tw {
namespace {

std::string status_cols(std::string_view prefix) {
  std::string s;
  for (int i = 0; i < 6; ++i)
    s += std::string(prefix) + "s" + std::to_string(i) + (i < 5 ? ", " : "");
  return s;
}

std::string latency_cols(std::string_view prefix) {
  std::string s;
  for (std::size_t i = 0; i < kLatencyBuckets; ++i)
    s += std::string(prefix) + "l" + std::to_string(i) + (i + 1 < kLatencyBuckets ? ", " : "");
  return s;
}

// The counters table; `hours` has the same columns, its `minute` being the hour's first minute.
std::string counters_table(const std::string& name) {
  std::string s =
      "CREATE TABLE " + name +
      " (\n  site TEXT NOT NULL,\n  minute INTEGER NOT NULL,\n"
      "  requests INTEGER NOT NULL DEFAULT 0,\n  malformed INTEGER NOT NULL DEFAULT 0,\n"
      "  bytes INTEGER NOT NULL DEFAULT 0,\n  latency_ms INTEGER NOT NULL DEFAULT 0,\n";
  for (int i = 0; i < 6; ++i)
    s += "  s" + std::to_string(i) + " INTEGER NOT NULL DEFAULT 0,\n";
  for (std::size_t i = 0; i < kLatencyBuckets; ++i)
    s += "  l" + std::to_string(i) + " INTEGER NOT NULL DEFAULT 0,\n";
  s += "  PRIMARY KEY (site, minute)\n) WITHOUT ROWID;\n";
  return s;
}

// INSERT ... ON CONFLICT DO UPDATE adding every counter: ?1 site, ?2 minute, then the counters.
std::string counter_cols() {
  return "requests, malformed, bytes, latency_ms, " + status_cols("") + ", " + latency_cols("");
}

// "c = c + excluded.c" for every counter.
std::string add_excluded() {
  std::string out;
  const std::string cols = counter_cols();
  std::string_view rest = cols;
  while (!rest.empty()) {
    const auto comma = rest.find(", ");
    const std::string c(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 2);
    out.append(out.empty() ? "" : ", ").append(c).append(" = ").append(c);
    out.append(" + excluded.").append(c);
  }
  return out;
}

// Minutes and rolled-up hours together, for the queries.
constexpr const char* kCounters = "(SELECT * FROM minutes UNION ALL SELECT * FROM hours)";

std::string minutes_upsert() {
  std::string cols = counter_cols();
  std::string sql = "INSERT INTO minutes (site, minute, " + cols + ") VALUES (?1, ?2";
  const int n = 4 + 6 + static_cast<int>(kLatencyBuckets);
  for (int i = 0; i < n; ++i)
    sql += ", ?" + std::to_string(i + 3);
  sql += ") ON CONFLICT (site, minute) DO UPDATE SET " + add_excluded();
  return sql;
}

// The k entries of `m` with the highest counts (all of them if there are no more than k).
std::vector<const CountMap::value_type*> top(const CountMap& m, std::size_t k) {
  std::vector<const CountMap::value_type*> v;
  v.reserve(m.size());
  for (const auto& e : m)
    v.push_back(&e);
  if (v.size() > k) {
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end(),
                     [](auto* a, auto* b) { return a->second > b->second; });
    v.resize(k);
  }
  return v;
}

std::int64_t i64(std::uint64_t v) {
  return static_cast<std::int64_t>(v > 0x7fffffffffffffffULL ? 0x7fffffffffffffffULL : v);
}

} // namespace

const fh::sqlite::Migrations& migrations() {
  static const fh::sqlite::Migrations all{
      "trafficwatch",
      {
          // 1: read positions, per-minute aggregates, top paths and clients, alert history.
          R"sql(
CREATE TABLE files (
  path      TEXT PRIMARY KEY,
  site      TEXT NOT NULL,
  dev       INTEGER NOT NULL,
  ino       INTEGER NOT NULL,
  head_len  INTEGER NOT NULL, -- how many leading bytes head_hash covers
  head_hash INTEGER NOT NULL, -- FNV-1a of those bytes: a copytruncate or a new file changes it
  "offset"  INTEGER NOT NULL  -- the first byte not yet counted (always a line start)
);
)sql" + counters_table("minutes") +
              R"sql(
CREATE TABLE minute_paths (
  site TEXT NOT NULL, minute INTEGER NOT NULL, path TEXT NOT NULL, count INTEGER NOT NULL,
  PRIMARY KEY (site, minute, path)
) WITHOUT ROWID;
CREATE TABLE minute_addrs (
  site TEXT NOT NULL, minute INTEGER NOT NULL, addr TEXT NOT NULL, count INTEGER NOT NULL,
  PRIMARY KEY (site, minute, addr)
) WITHOUT ROWID;
CREATE TABLE alerts (
  id        INTEGER PRIMARY KEY,
  rule      TEXT NOT NULL,
  site      TEXT NOT NULL,
  severity  TEXT NOT NULL,
  summary   TEXT NOT NULL,
  value     REAL NOT NULL,
  starts_at INTEGER NOT NULL,
  ends_at   INTEGER NOT NULL DEFAULT 0 -- 0 while firing
);
CREATE INDEX alerts_firing ON alerts (ends_at);
)sql",
          // 2: minutes older than the retention rolled up into hours (same columns).
          counters_table("hours") + R"sql(
CREATE TABLE hour_paths (
  site TEXT NOT NULL, minute INTEGER NOT NULL, path TEXT NOT NULL, count INTEGER NOT NULL,
  PRIMARY KEY (site, minute, path)
) WITHOUT ROWID;
CREATE TABLE hour_addrs (
  site TEXT NOT NULL, minute INTEGER NOT NULL, addr TEXT NOT NULL, count INTEGER NOT NULL,
  PRIMARY KEY (site, minute, addr)
) WITHOUT ROWID;
)sql",
      },
      true};
  return all;
}

nlohmann::json Totals::to_json() const {
  nlohmann::json st = nlohmann::json::object();
  for (std::size_t i = 0; i < status.size(); ++i)
    st[std::to_string(i) + "xx"] = status[i];
  return {{"requests", requests}, {"malformed", malformed}, {"bytes", bytes}, {"status", st}};
}

Store::Store(const std::string& path, int busy_timeout_ms) : db_(path, busy_timeout_ms) {
  db_.migrate(migrations());
}

std::optional<FileState> Store::file(const std::string& path) {
  auto st = db_.query(
      R"(SELECT site, dev, ino, head_len, head_hash, "offset" FROM files WHERE path = ?1)", path);
  if (!st.step()) return std::nullopt;
  FileState f;
  f.path = path;
  f.site = st.get_text(0);
  f.dev = st.get_int64(1);
  f.ino = st.get_int64(2);
  f.head_len = st.get_int64(3);
  f.head_hash = st.get_int64(4);
  f.offset = st.get_int64(5);
  return f;
}

void Store::commit(const Batch& batch, const std::vector<FileState>& files) {
  fh::sqlite::Transaction tx(db_);
  if (!batch.empty()) {
    auto up = db_.prepare(minutes_upsert());
    auto paths = db_.prepare(
        "INSERT INTO minute_paths (site, minute, path, count) VALUES (?1, ?2, ?3, ?4) "
        "ON CONFLICT (site, minute, path) DO UPDATE SET count = count + excluded.count");
    auto addrs = db_.prepare(
        "INSERT INTO minute_addrs (site, minute, addr, count) VALUES (?1, ?2, ?3, ?4) "
        "ON CONFLICT (site, minute, addr) DO UPDATE SET count = count + excluded.count");
    for (const auto& [key, m] : batch.minutes()) {
      const auto& [site, minute] = key;
      up.reset();
      int i = 1;
      up.bind(i++, site);
      up.bind(i++, minute);
      for (auto c : {m.requests, m.malformed, m.bytes, m.latency_ms})
        up.bind(i++, i64(c));
      for (auto c : m.status)
        up.bind(i++, i64(c));
      for (auto c : m.latency)
        up.bind(i++, i64(c));
      while (up.step()) {
      }
      for (const auto* e : top(m.paths, top_k_)) {
        paths.reset();
        paths.bind_all(site, minute, e->first, i64(e->second));
        while (paths.step()) {
        }
      }
      for (const auto* e : top(m.addrs, top_k_)) {
        addrs.reset();
        addrs.bind_all(site, minute, e->first, i64(e->second));
        while (addrs.step()) {
        }
      }
    }
  }
  auto fs = db_.prepare(R"(INSERT INTO files (path, site, dev, ino, head_len, head_hash, "offset"))"
                        R"( VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (path) DO UPDATE SET)"
                        R"( site = excluded.site, dev = excluded.dev, ino = excluded.ino,)"
                        R"( head_len = excluded.head_len, head_hash = excluded.head_hash,)"
                        R"( "offset" = excluded."offset")");
  for (const auto& f : files) {
    fs.reset();
    fs.bind_all(f.path, f.site, f.dev, f.ino, f.head_len, f.head_hash, f.offset);
    while (fs.step()) {
    }
  }
  tx.commit();
}

std::int64_t Store::rollup(std::int64_t before) {
  const std::int64_t cutoff = before - ((before % 3600) + 3600) % 3600;
  fh::sqlite::Transaction tx(db_);
  const std::string cols = counter_cols();
  std::string sums;
  {
    std::string_view rest = cols;
    while (!rest.empty()) {
      const auto comma = rest.find(", ");
      sums += (sums.empty() ? "" : ", ") + std::string("sum(") +
              std::string(rest.substr(0, comma)) + ")";
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 2);
    }
  }
  // (WHERE before GROUP BY: SQLite's upsert needs the SELECT to end unambiguously.)
  db_.execute("INSERT INTO hours (site, minute, " + cols +
                  ") SELECT site, minute - minute % 3600, " + sums +
                  " FROM minutes WHERE minute < ?1 GROUP BY site, minute - minute % 3600"
                  " ON CONFLICT (site, minute) DO UPDATE SET " +
                  add_excluded(),
              cutoff);
  const std::int64_t moved = db_.execute("DELETE FROM minutes WHERE minute < ?1", cutoff);
  for (const char* what : {"path", "addr"}) {
    const std::string m = std::string("minute_") + what + "s",
                      h = std::string("hour_") + what + "s";
    db_.execute("INSERT INTO " + h + " (site, minute, " + what +
                    ", count) SELECT site, minute - "
                    "minute % 3600, " +
                    what + ", sum(count) FROM " + m +
                    " WHERE minute < ?1 "
                    "GROUP BY 1, 2, 3 ON CONFLICT (site, minute, " +
                    what + ") DO UPDATE SET count = count + excluded.count",
                cutoff);
    db_.execute("DELETE FROM " + m + " WHERE minute < ?1", cutoff);
    // Each hour keeps its top_k entries.
    db_.execute("DELETE FROM " + h + " WHERE (site, minute, " + what +
                    ") IN (SELECT site, "
                    "minute, " +
                    what + " FROM (SELECT site, minute, " + what +
                    ", row_number() OVER (PARTITION BY site, minute ORDER BY count DESC) AS n "
                    "FROM " +
                    h + " WHERE minute < ?1) WHERE n > ?2)",
                cutoff, static_cast<std::int64_t>(top_k_));
  }
  tx.commit();
  return moved;
}

Totals query_totals(fh::sqlite::Connection& db, const std::optional<std::string>& site,
                    std::optional<std::int64_t> from, std::optional<std::int64_t> to) {
  std::string sql = "SELECT ";
  for (const char* c : {"requests", "malformed", "bytes", "s0", "s1", "s2", "s3", "s4", "s5"})
    sql += std::string(sql.size() > 7 ? ", " : "") + "coalesce(sum(" + c + "), 0)";
  sql += std::string(" FROM ") + kCounters +
         " WHERE (?1 IS NULL OR site = ?1) AND (?2 IS NULL OR minute >= ?2)"
         " AND (?3 IS NULL OR minute < ?3)";
  const std::optional<std::int64_t> first_minute =
      from ? std::optional<std::int64_t>(minute_of(*from)) : std::nullopt;
  auto st = db.query(sql, site, first_minute, to);
  Totals t;
  if (st.step()) {
    auto u = [&](int c) { return static_cast<std::uint64_t>(st.get_int64(c)); };
    t.requests = u(0);
    t.malformed = u(1);
    t.bytes = u(2);
    for (int i = 0; i < 6; ++i)
      t.status[static_cast<std::size_t>(i)] = u(3 + i);
  }
  return t;
}

std::int64_t Store::alert_fired(const AlertRecord& a) {
  db_.execute("INSERT INTO alerts (rule, site, severity, summary, value, starts_at) "
              "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
              a.rule, a.site, a.severity, a.summary, a.value, a.starts_at);
  return db_.last_insert_rowid();
}

void Store::alert_resolved(std::int64_t id, std::int64_t ends_at) {
  db_.execute("UPDATE alerts SET ends_at = ?2 WHERE id = ?1", id, ends_at);
}

std::vector<AlertRecord> query_alerts(fh::sqlite::Connection& db, bool firing_only, int limit) {
  auto st = db.query("SELECT id, rule, site, severity, summary, value, starts_at, ends_at "
                     "FROM alerts WHERE (?1 = 0 OR ends_at = 0) ORDER BY id DESC LIMIT ?2",
                     firing_only ? 1 : 0, limit);
  std::vector<AlertRecord> out;
  while (st.step()) {
    AlertRecord a;
    a.id = st.get_int64(0);
    a.rule = st.get_text(1);
    a.site = st.get_text(2);
    a.severity = st.get_text(3);
    a.summary = st.get_text(4);
    a.value = st.get_double(5);
    a.starts_at = st.get_int64(6);
    a.ends_at = st.get_int64(7);
    out.push_back(std::move(a));
  }
  return out;
}

} // namespace tw

namespace tw {

Totals Store::totals(const std::optional<std::string>& site, std::optional<std::int64_t> from,
                     std::optional<std::int64_t> to) {
  return query_totals(db_, site, from, to);
}

std::vector<AlertRecord> Store::alerts(bool firing_only, int limit) {
  return query_alerts(db_, firing_only, limit);
}

std::vector<TrafficPoint> query_traffic(fh::sqlite::Connection& db,
                                        const std::optional<std::string>& site, std::int64_t from,
                                        std::int64_t to, std::int64_t step) {
  std::string sql = "SELECT minute, requests, malformed, bytes, latency_ms, " + status_cols("") +
                    ", " + latency_cols("") + " FROM " + kCounters +
                    " WHERE (?1 IS NULL OR site = ?1) AND minute >= ?2 AND minute < ?3"
                    " ORDER BY minute";
  auto st = db.query(sql, site, from - ((from % step) + step) % step, to);
  std::vector<TrafficPoint> out;
  while (st.step()) {
    const std::int64_t m = st.get_int64(0);
    const std::int64_t t = m - ((m % step) + step) % step;
    if (out.empty() || out.back().time != t) {
      out.emplace_back();
      out.back().time = t;
    }
    auto& p = out.back();
    auto u = [&](int c) { return static_cast<std::uint64_t>(st.get_int64(c)); };
    p.totals.requests += u(1);
    p.totals.malformed += u(2);
    p.totals.bytes = add_saturated(p.totals.bytes, u(3));
    p.latency_ms += u(4);
    for (int i = 0; i < 6; ++i)
      p.totals.status[static_cast<std::size_t>(i)] += u(5 + i);
    for (std::size_t i = 0; i < kLatencyBuckets; ++i)
      p.latency[i] += u(11 + static_cast<int>(i));
  }
  return out;
}

std::vector<SiteTotals> query_site_totals(fh::sqlite::Connection& db) {
  std::string sql = "SELECT site, sum(requests), sum(malformed), sum(bytes), sum(latency_ms)";
  for (int i = 0; i < 6; ++i)
    sql += ", sum(s" + std::to_string(i) + ")";
  for (std::size_t i = 0; i < kLatencyBuckets; ++i)
    sql += ", sum(l" + std::to_string(i) + ")";
  sql += std::string(" FROM ") + kCounters + " GROUP BY site ORDER BY site";
  auto st = db.query(sql);
  std::vector<SiteTotals> out;
  while (st.step()) {
    SiteTotals s;
    auto u = [&](int c) { return static_cast<std::uint64_t>(st.get_int64(c)); };
    s.site = st.get_text(0);
    s.totals.requests = u(1);
    s.totals.malformed = u(2);
    s.totals.bytes = u(3);
    s.latency_ms = u(4);
    for (int i = 0; i < 6; ++i)
      s.totals.status[static_cast<std::size_t>(i)] = u(5 + i);
    for (std::size_t i = 0; i < kLatencyBuckets; ++i)
      s.latency[i] = u(11 + static_cast<int>(i));
    out.push_back(std::move(s));
  }
  return out;
}

} // namespace tw
