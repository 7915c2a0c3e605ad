// The in-process fixture of the trafficwatch web app tests: a temporary database filled through
// the ingest's Store (two sites, four minutes, a firing and a resolved alert), APP_CONFIG_FILE
// pointing at it, and GET helpers that go through App::handle from a chosen client address.
#pragma once

#include "store.hpp"
#include "temp_dir.hpp"

#include <fcgihost/app.hpp>

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <string>

fh::App make_app();

namespace {

class AppTest : public ::testing::Test {
protected:
  void SetUp() override {
    write_config("");
    ::setenv("APP_CONFIG_FILE", dir_.file("tw.ini").c_str(), 1);
    tw::Store store(dir_.file("tw.db"));
    tw::Batch b;
    auto add = [&](const char* site, std::int64_t t, int status, std::uint64_t bytes,
                   std::uint32_t ms) {
      tw::LogLine l;
      l.time = t;
      l.status = status;
      l.bytes = bytes;
      l.request_time_ms = ms;
      l.path = "/x";
      l.remote_addr = "10.0.0.1";
      b.add(site, l);
    };
    for (int i = 0; i < 90; ++i)
      add("shop", 6000 + i, 200, 10, 4); // minutes 6000 and 6060: 60 + 30 lines
    for (int i = 0; i < 10; ++i)
      add("shop", 6130, 502, 5000000000ULL, 3000); // minute 6120
    add("blog\"x", 6000, 404, 1, 1);
    b.add_malformed("shop", 6000);
    store.commit(b, {});
    tw::AlertRecord a{.rule = "errors",
                      .site = "shop",
                      .severity = "critical",
                      .summary = "5xx",
                      .starts_at = 6130,
                      .value = 1};
    store.alert_fired(a);
    a.rule = "slow";
    store.alert_resolved(store.alert_fired(a), 6200);
  }
  // The app's config: the database plus `extra` INI text.
  void write_config(const std::string& extra) {
    std::ofstream(dir_.file("tw.ini")) << "[db]\npath = " << dir_.file("tw.db")
                                       << "\n[templates]\nroot = " << FH_TW_TEMPLATES_DIR << "\n"
                                       << extra;
  }
  void TearDown() override { ::unsetenv("APP_CONFIG_FILE"); }

  fh::Response get(const fh::App& app, const std::string& path, const std::string& query = "",
                   const std::string& client = "127.0.0.1") {
    fh::RawRequest r;
    r.params = {{"REQUEST_METHOD", "GET"}, {"PATH_INFO", path},      {"QUERY_STRING", query},
                {"SCRIPT_NAME", ""},       {"SERVER_NAME", "local"}, {"SERVER_PORT", "80"},
                {"REMOTE_ADDR", client}};
    return app.handle(std::move(r));
  }
  nlohmann::json get_json(const fh::App& app, const std::string& path,
                          const std::string& query = "") {
    const auto r = get(app, path, query);
    EXPECT_EQ(r.status(), 200) << path << "?" << query << ": " << r.body();
    EXPECT_EQ(r.header("Content-Type").value_or(""), "application/json");
    return nlohmann::json::parse(r.body());
  }

  tw::testing::TempDir dir_{"tw_app_"};
};

} // namespace
