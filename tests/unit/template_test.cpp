// Unit tests for fh::Templates and fh::TemplateDict: the AUTOESCAPE rule, missing templates and
// variables (TemplateError / 500), sections for lists and nested dictionaries, JSON mapping,
// includes of a layout, and XSS payloads escaped in every context (HTML, attribute, URL, JS).
#include "fcgihost/http_error.hpp"
#include "fcgihost/template.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <thread>
#include <unistd.h>

namespace fs = std::filesystem;

namespace {

constexpr const char* kAuto = "{{%AUTOESCAPE context=\"HTML\"}}\n";

class TemplatesTest : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("fh-tpl-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  void write(const std::string& name, const std::string& text) {
    fs::create_directories((dir_ / name).parent_path());
    std::ofstream(dir_ / name) << text;
  }
  fh::Templates make(fh::TemplateOptions o = {}) { return fh::Templates(dir_, o); }

  fs::path dir_;
};

std::string error_of(const fh::Templates& t, const std::string& name, const fh::TemplateDict& d) {
  try {
    t.expand(name, d);
  } catch (const fh::TemplateError& e) {
    return e.what();
  }
  return "(no error)";
}

} // namespace

TEST_F(TemplatesTest, ExpandsVariablesEscaped) {
  write("a.tpl", std::string(kAuto) + "<p>{{NAME}}</p>");
  auto t = make();
  EXPECT_EQ(t.expand("a.tpl", fh::TemplateDict().set("NAME", "<b>&")), "<p>&lt;b&gt;&amp;</p>");
}

TEST_F(TemplatesTest, RefusesTemplateWithoutAutoescape) {
  write("plain.tpl", "<p>{{NAME}}</p>\n");
  write("late.tpl", "<p>x</p>\n" + std::string(kAuto) + "{{NAME}}");
  write("none.tpl", "{{%AUTOESCAPE context=\"NONE\"}}\n{{NAME}}");
  auto t = make();
  fh::TemplateDict d;
  d.set("NAME", "x");
  EXPECT_NE(error_of(t, "plain.tpl", d).find("AUTOESCAPE"), std::string::npos);
  EXPECT_NE(error_of(t, "late.tpl", d).find("AUTOESCAPE"), std::string::npos);
  EXPECT_NE(error_of(t, "none.tpl", d).find("NONE"), std::string::npos);
  EXPECT_THROW(t.load("plain.tpl"), fh::TemplateError);
}

TEST_F(TemplatesTest, OtherDeclaredContextsAreAccepted) {
  write("x.js.tpl", "{{%AUTOESCAPE context=\"JAVASCRIPT\"}}\nvar s = '{{S}}';");
  auto t = make();
  EXPECT_EQ(t.expand("x.js.tpl", fh::TemplateDict().set("S", "'</script>")),
            "var s = '\\x27\\x3c/script\\x3e';");
}

TEST_F(TemplatesTest, MissingTemplateIsAnErrorAnd500) {
  auto t = make();
  EXPECT_NE(error_of(t, "nope.tpl", {}).find("not found"), std::string::npos);
  try {
    t.render("nope.tpl", fh::TemplateDict{});
    FAIL() << "no exception";
  } catch (const fh::HttpError& e) {
    EXPECT_EQ(e.status(), 500);
    EXPECT_EQ(std::string(e.what()).find("nope"), std::string::npos) << "no detail to the client";
  }
}

TEST_F(TemplatesTest, BadNamesAreRefused) {
  write("a.tpl", kAuto);
  auto t = make();
  EXPECT_THROW(t.load("../a.tpl"), fh::TemplateError);
  EXPECT_THROW(t.load("/etc/passwd"), fh::TemplateError);
  EXPECT_THROW(t.load(""), fh::TemplateError);
}

TEST_F(TemplatesTest, MissingVariableIsAnErrorInStrictMode) {
  write("a.tpl", std::string(kAuto) + "<p>{{A}}</p>\n<p>{{B:h}}</p>{{#HIDDEN}}{{C}}{{/HIDDEN}}");
  auto strict = make();
  fh::TemplateDict d;
  d.set("A", "1");
  auto err = error_of(strict, "a.tpl", d);
  EXPECT_NE(err.find("line 3: variable B is not set"), std::string::npos) << err;
  d.set("B", "2"); // C is inside a hidden section: not needed
  EXPECT_EQ(strict.expand("a.tpl", d), "<p>1</p>\n<p>2</p>");
  auto lax = fh::Templates(dir_, fh::TemplateOptions{.strict = false});
  EXPECT_EQ(lax.expand("a.tpl", fh::TemplateDict().set("A", "1")), "<p>1</p>\n<p></p>");
}

TEST_F(TemplatesTest, SectionsRepeatAndSeeParentVariables) {
  write("l.tpl", std::string(kAuto) +
                     "{{#ROW}}{{P}}:{{N}}{{#ROW_separator}},{{/ROW_separator}}{{/ROW}}"
                     "{{#EMPTY}}x{{/EMPTY}}{{#FLAG}}on{{/FLAG}}");
  auto t = make();
  fh::TemplateDict d;
  d.set("P", "p");
  d.add_section("ROW").set("N", 1);
  d.add_section("ROW").set("N", "<2>");
  d.show_section("FLAG");
  EXPECT_EQ(t.expand("l.tpl", d), "p:1,p:&lt;2&gt;on");
  d.add_section("ROW"); // a row without N: strict check names it
  EXPECT_NE(error_of(t, "l.tpl", d).find("variable N"), std::string::npos);
}

TEST_F(TemplatesTest, JsonMapsToVariablesListsAndNestedSections) {
  write("j.tpl", std::string(kAuto) +
                     "{{TITLE}}|{{#TAGS}}{{VALUE}};{{/TAGS}}|"
                     "{{#USER}}{{NAME}}({{#ADDR}}{{CITY}}{{/ADDR}}){{/USER}}|"
                     "{{#ITEMS}}{{ID}}={{PRICE}} {{/ITEMS}}|{{#ADMIN}}admin{{/ADMIN}}"
                     "{{#GUEST}}guest{{/GUEST}}|{{N}}");
  auto t = make();
  nlohmann::json data = {{"TITLE", "T"},
                         {"TAGS", {"a", "<b>"}},
                         {"USER", {{"NAME", "Ann"}, {"ADDR", {{"CITY", "Oslo"}}}}},
                         {"ITEMS", {{{"ID", 1}, {"PRICE", 2.5}}, {{"ID", 2}, {"PRICE", 3}}}},
                         {"ADMIN", true},
                         {"GUEST", false},
                         {"N", nullptr}};
  EXPECT_EQ(t.expand("j.tpl", fh::TemplateDict(data)),
            "T|a;&lt;b&gt;;|Ann(Oslo)|1=2.5 2=3 |admin|");
  EXPECT_THROW(fh::TemplateDict(nlohmann::json::array()), std::invalid_argument);
}

TEST_F(TemplatesTest, IncludesALayoutWithItsOwnDictionary) {
  write("layout.tpl", std::string(kAuto) + "<title>{{TITLE}}</title>{{>BODY}}<footer/>");
  write("pages/home.tpl", std::string(kAuto) + "<h1>{{HEADING}}</h1>");
  auto t = make();
  fh::TemplateDict d;
  d.set("TITLE", "Home");
  d.include("BODY", "pages/home.tpl").set("HEADING", "<Hi>");
  EXPECT_EQ(t.expand("layout.tpl", d), "<title>Home</title><h1>&lt;Hi&gt;</h1><footer/>");
  // An include does not see its parent's variables (ctemplate semantics): strict says so.
  fh::TemplateDict bad;
  bad.set("TITLE", "x").set("HEADING", "y");
  bad.include("BODY", "pages/home.tpl");
  EXPECT_NE(error_of(t, "layout.tpl", bad).find("pages/home.tpl\": line 2: variable HEADING"),
            std::string::npos)
      << error_of(t, "layout.tpl", bad);
}

TEST_F(TemplatesTest, IncludedTemplatesMustAutoescapeToo) {
  write("layout.tpl", std::string(kAuto) + "{{>BODY}}");
  write("raw.tpl", "<p>{{X}}</p>");
  auto t = make();
  fh::TemplateDict d;
  d.include("BODY", "raw.tpl").set("X", "<script>");
  EXPECT_NE(error_of(t, "layout.tpl", d).find("raw.tpl\": does not start"), std::string::npos);
  fh::TemplateDict missing;
  missing.include("BODY", "absent.tpl");
  EXPECT_NE(error_of(t, "layout.tpl", missing).find("absent.tpl\": not found"), std::string::npos);
}

TEST_F(TemplatesTest, SyntaxErrorsAreTemplateErrors) {
  write("open.tpl", std::string(kAuto) + "{{#S}}x");
  write("delim.tpl", std::string(kAuto) + "{{=<% %>=}}");
  auto t = make();
  EXPECT_NE(error_of(t, "open.tpl", {}).find("never closed"), std::string::npos);
  EXPECT_NE(error_of(t, "delim.tpl", {}).find("delimiter"), std::string::npos);
}

TEST_F(TemplatesTest, XssPayloadsAreEscapedInEveryContext) {
  write("ctx.tpl", std::string(kAuto) +
                       "<p>{{V}}</p>\n<a title=\"{{V}}\" href=\"{{V}}\">l</a>\n"
                       "<a href=\"/s?q={{V:u}}\">q</a>\n<b onclick=\"f('{{V}}')\">b</b>\n"
                       "<script>var s = '{{V}}'; var d = \"{{V}}\";</script>\n");
  auto t = make();
  for (std::string v : {"<script>alert(1)</script>", "\" onmouseover=\"x", "javascript:alert(1)",
                        "</script><script>alert(1)</script>", "' + alert(1) + '"}) {
    auto out = t.expand("ctx.tpl", fh::TemplateDict().set("V", v));
    EXPECT_EQ(out.find("<script>alert"), std::string::npos) << out;
    EXPECT_EQ(out.find("</script><script>"), std::string::npos) << out;
    EXPECT_EQ(out.find("\" onmouseover=\""), std::string::npos) << out;
    EXPECT_EQ(out.find("href=\"javascript:"), std::string::npos) << out;
    EXPECT_EQ(out.find("' + alert"), std::string::npos) << out;
  }
  auto out = t.expand("ctx.tpl", fh::TemplateDict().set("V", "javascript:alert(1)"));
  EXPECT_NE(out.find("href=\"#\""), std::string::npos) << out; // unsafe URL scheme replaced
  EXPECT_NE(out.find("q=javascript%3Aalert(1)"), std::string::npos) << out;
}

TEST_F(TemplatesTest, CachesPerObjectAndLoadAllChecksEveryTemplate) {
  write("a.tpl", std::string(kAuto) + "v1");
  write("sub/b.tpl", std::string(kAuto) + "b");
  auto t = make();
  EXPECT_EQ(t.expand("a.tpl", {}), "v1");
  write("a.tpl", std::string(kAuto) + "v2"); // cached after the first load
  EXPECT_EQ(t.expand("a.tpl", {}), "v1");
  auto other = make(); // another Templates object has its own cache
  EXPECT_EQ(other.expand("a.tpl", {}), "v2");
  EXPECT_EQ(other.load_all(), 2U);
  write("c.tpl", "no pragma");
  EXPECT_THROW(other.load_all(), fh::TemplateError);
}

TEST_F(TemplatesTest, FreezeServesLoadedTemplatesAndRefusesNewOnes) {
  write("a.tpl", std::string(kAuto) + "a{{X}}");
  write("b.tpl", std::string(kAuto) + "b");
  auto t = make();
  t.load("a.tpl");
  t.freeze();
  EXPECT_EQ(t.expand("a.tpl", fh::TemplateDict().set("X", 1)), "a1");
  EXPECT_THROW(t.expand("b.tpl", {}), fh::TemplateError);
}

TEST_F(TemplatesTest, ConcurrentRendersAreSafe) {
  write("a.tpl", std::string(kAuto) + "{{#R}}{{N}}{{/R}}");
  auto t = make();
  std::vector<std::thread> threads;
  std::atomic<int> bad{0};
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&, i] {
      for (int k = 0; k < 200; ++k) {
        fh::TemplateDict d;
        d.add_section("R").set("N", i);
        if (t.expand("a.tpl", d) != std::to_string(i)) ++bad;
      }
    });
  for (auto& th : threads)
    th.join();
  EXPECT_EQ(bad.load(), 0);
}
