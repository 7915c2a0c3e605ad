// The site app end to end through fh::testing's client, as site.cgi (RFC 3875 environment + stdin)
// and as site.fcgi (a worker on a loopback socket), with the same cases and the same expected
// answers: layout pages, lists and nested dictionaries, XSS payloads escaped in every context, a
// cookie set then read back, a session counter, the login form with CSRF (403 without a good
// token) and its throttle (429 after repeated failures), custom 404 and 500 pages, and the /api
// blueprint's JSON answers and errors.
#include "accounts.hpp"
#include "fcgihost/password.hpp"
#include "fcgihost/sqlite.hpp"
#include "fcgihost/testing.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <unistd.h>

namespace fs = std::filesystem;

namespace {

enum class Mode { Cgi, Fcgi };

// Per test process: a temp dir with the shared INI and an accounts database holding one user, and
// the two targets: site.cgi and one FastCGI worker on a loopback socket.
struct World {
  fs::path dir;
  std::string config;
  std::unique_ptr<fh::testing::CgiBinary> cgi;
  std::unique_ptr<fh::testing::FcgiWorker> worker;
};
World* g_world = nullptr; // NOLINT: suite fixture

// The accounts app's schema (its migrations) with one user, as accounts-admin would create it.
void make_accounts_db(const std::string& path) {
  fh::sqlite::Connection db(path);
  db.migrate(accounts::migrations());
  db.execute("INSERT INTO users (name, email, password_hash, created_at) VALUES (?1, ?2, ?3, 0)",
             "Alice <A>", "alice@example.org",
             fh::hash_password("correct horse", fh::PasswordCost::minimum()));
}

using Jar = fh::testing::CookieJar;

struct Reply {
  fh::testing::TestResponse r;
  int status() const { return r.status; }
  bool has(std::string_view s) const { return r.body.find(s) != std::string::npos; }
  // The Set-Cookie header for `name`, or "".
  std::string set_cookie(std::string_view name) const { return r.set_cookie(name); }
};

class Site : public ::testing::TestWithParam<Mode> {
protected:
  static void SetUpTestSuite() {
    g_world = new World; // NOLINT: owned until TearDownTestSuite
    g_world->dir = fs::temp_directory_path() / ("fh-site-test-" + std::to_string(::getpid()));
    fs::create_directories(g_world->dir);
    const auto db = (g_world->dir / "accounts.db").string();
    make_accounts_db(db);
    g_world->config = (g_world->dir / "site.ini").string();
    std::ofstream(g_world->config) << "[session]\nsecret = test-secret-0123456789abcdef0123456789\n"
                                   << "[db]\npath = " << db << "\n[password]\ncost = minimum\n";
    const std::string config_env = "APP_CONFIG_FILE=" + g_world->config;
    g_world->cgi = std::make_unique<fh::testing::CgiBinary>(
        FH_SITE_CGI, fh::testing::CgiOptions{.env = {config_env}});
    g_world->worker = std::make_unique<fh::testing::FcgiWorker>(
        FH_SITE_FCGI, fh::testing::FcgiOptions{.env = {config_env}});
  }
  static void TearDownTestSuite() {
    fs::remove_all(g_world->dir);
    delete g_world;
    g_world = nullptr;
  }

  // One request; Set-Cookie answers update `jar`.
  Reply request(const std::string& method, const std::string& path, Jar& jar,
                const std::string& body = {}, const std::string& query = {}) {
    fh::testing::Target& target = GetParam() == Mode::Cgi
                                      ? static_cast<fh::testing::Target&>(*g_world->cgi)
                                      : *g_world->worker;
    fh::testing::Client client(target);
    client.cookies() = jar;
    const auto form = body.empty() ? fh::testing::Body{}
                                   : fh::testing::raw(body, "application/x-www-form-urlencoded");
    Reply rep{client.open(method, path + (query.empty() ? "" : "?" + query), form)};
    jar = client.cookies();
    return rep;
  }
  Reply get(const std::string& path, Jar& jar, const std::string& query = {}) {
    return request("GET", path, jar, {}, query);
  }
};

// The CSRF token in a page's hidden form field.
std::string csrf_of(const Reply& r) {
  const std::string marker = "name=\"csrf_token\" value=\"";
  const auto at = r.r.body.find(marker);
  if (at == std::string::npos) return {};
  const auto start = at + marker.size();
  return r.r.body.substr(start, r.r.body.find('"', start) - start);
}

TEST_P(Site, HomeIsTheLayoutWithItsBody) {
  Jar jar;
  auto r = get("/", jar);
  EXPECT_EQ(r.status(), 200);
  EXPECT_EQ(r.r.header("Content-Type").value_or(""), "text/html; charset=utf-8");
  EXPECT_TRUE(r.has("<title>Home - fcgi-host site</title>")) << r.r.body;
  EXPECT_TRUE(r.has("<p class=\"welcome\">"));
  EXPECT_TRUE(r.has("<a href=\"/login\">Sign in</a>"));
}

TEST_P(Site, PageRendersVariablesListsAndNestedDictionaries) {
  Jar jar;
  auto r = get("/page", jar);
  EXPECT_EQ(r.status(), 200);
  EXPECT_TRUE(r.has("<ul class=\"tags\"><li>c++</li><li>fastcgi</li><li>&lt;templates&gt;</li>"))
      << r.r.body;
  EXPECT_TRUE(r.has("<td>Ada</td><td>engineer</td>"));
  EXPECT_TRUE(r.has("<td>London (UK)</td>"));
  EXPECT_TRUE(r.has("<td>COBOL, compilers, nanoseconds</td>"));
  EXPECT_FALSE(r.has("nobody here"));
  EXPECT_TRUE(r.has(GetParam() == Mode::Cgi ? "<code>CGI</code>" : "<code>FastCGI</code>"));
}

TEST_P(Site, XssPayloadsAreEscapedInEveryContext) {
  for (std::string payload :
       {"%3Cscript%3Ealert(1)%3C%2Fscript%3E", "%22%20onmouseover%3D%22x", "javascript%3Aalert(1)",
        "%3C%2Fscript%3E%3Cscript%3Ealert(1)", "%27%29%3Balert(1)%2F%2F"}) {
    Jar jar;
    auto r = get("/greet", jar, "name=" + payload + "&link=" + payload);
    ASSERT_EQ(r.status(), 200) << payload;
    EXPECT_FALSE(r.has("<script>alert")) << r.r.body;
    EXPECT_FALSE(r.has("</script><script>")) << r.r.body;
    EXPECT_FALSE(r.has("\" onmouseover=\"x")) << r.r.body;
    EXPECT_FALSE(r.has("href=\"javascript:")) << r.r.body;
    EXPECT_FALSE(r.has("');alert(1)")) << r.r.body;
  }
  Jar jar;
  auto r = get("/greet", jar, "name=%3Cb%3E&link=javascript%3Aalert(1)");
  EXPECT_TRUE(r.has("Hello, &lt;b&gt;!"));                // HTML body
  EXPECT_TRUE(r.has("value=\"&lt;b&gt;\""));              // attribute
  EXPECT_TRUE(r.has("href=\"/greet?name=%3Cb%3E\""));     // URL query
  EXPECT_TRUE(r.has("<a class=\"link\" href=\"#\">"));    // unsafe URL scheme dropped
  EXPECT_TRUE(r.has("show('\\x3cb\\x3e')"));              // event handler (JS)
  EXPECT_TRUE(r.has("var greetName = \"\\x3cb\\x3e\";")); // script block (JS)
}

TEST_P(Site, CookieIsSetWithMaxAgeAndReadBack) {
  Jar jar;
  auto before = get("/request", jar);
  EXPECT_TRUE(before.has("No <code>flavor</code> cookie yet"));
  auto set = get("/cookie", jar, "value=vanilla");
  EXPECT_EQ(set.status(), 200);
  const auto header = set.set_cookie("flavor");
  EXPECT_TRUE(header.starts_with("flavor=vanilla;")) << header;
  EXPECT_NE(header.find("Max-Age=3600"), std::string::npos) << header;
  EXPECT_NE(header.find("HttpOnly"), std::string::npos) << header;
  auto back = get("/request", jar);
  EXPECT_TRUE(back.has("Your browser sent <code>flavor</code> = <code>vanilla</code>."))
      << back.r.body;
  EXPECT_EQ(get("/cookie", jar, "value=%3Cx%3E").status(), 400);
}

TEST_P(Site, SessionCounterIncrementsWithTheCookie) {
  Jar jar;
  for (int i = 1; i <= 3; ++i) {
    auto r = get("/counter", jar);
    EXPECT_TRUE(r.has("<strong class=\"count\">" + std::to_string(i) + "</strong>")) << i;
  }
  Jar fresh; // no cookie: a new session
  EXPECT_TRUE(get("/counter", fresh).has("class=\"count\">1<"));
  Jar tampered = jar;
  auto session = tampered.get("session").value_or("");
  ASSERT_FALSE(session.empty());
  session[0] = session[0] == 'e' ? 'f' : 'e';
  tampered.set("session", session);
  EXPECT_TRUE(get("/counter", tampered).has("class=\"count\">1<")); // no session, no error
}

TEST_P(Site, LoginNeedsTheCsrfToken) {
  Jar jar;
  auto form = get("/login", jar);
  ASSERT_EQ(form.status(), 200);
  const auto token = csrf_of(form);
  ASSERT_FALSE(token.empty()) << form.r.body;
  auto missing = request("POST", "/login", jar, "email=alice%40example.org&password=correct+horse");
  EXPECT_EQ(missing.status(), 403);
  EXPECT_TRUE(missing.has("<p class=\"error-status\">403 Forbidden</p>")) << missing.r.body;
  auto bad = request("POST", "/login", jar,
                     "csrf_token=" + token + "x&email=alice%40example.org&password=correct+horse");
  EXPECT_EQ(bad.status(), 403);
  Jar other; // a token from another session does not count
  get("/login", other);
  EXPECT_EQ(request("POST", "/login", other,
                    "csrf_token=" + token + "&email=alice%40example.org&password=correct+horse")
                .status(),
            403);
  EXPECT_FALSE(get("/", jar).has("signed in as"));
}

TEST_P(Site, LoginChecksThePasswordAndKeepsTheUser) {
  Jar jar;
  const auto token = csrf_of(get("/login", jar));
  auto wrong = request("POST", "/login", jar,
                       "csrf_token=" + token + "&email=alice%40example.org&password=x");
  EXPECT_EQ(wrong.status(), 401);
  EXPECT_TRUE(wrong.has("Wrong email or password."));
  auto unknown =
      request("POST", "/login", jar, "csrf_token=" + token + "&email=bob%27--%40x&password=x");
  EXPECT_EQ(unknown.status(), 401);
  auto ok = request("POST", "/login", jar,
                    "csrf_token=" + token + "&email=alice%40example.org&password=correct+horse");
  EXPECT_EQ(ok.status(), 303);
  EXPECT_EQ(ok.r.header("Location").value_or(""), "/");
  auto home = get("/", jar);
  EXPECT_TRUE(home.has("signed in as <strong class=\"user\">Alice &lt;A&gt;</strong>"))
      << home.r.body;
  const auto logout_token = csrf_of(home);
  EXPECT_EQ(request("POST", "/logout", jar, "x=1").status(), 403);
  Jar replay = jar; // the signed-in cookie, kept by an attacker
  EXPECT_EQ(request("POST", "/logout", jar, "csrf_token=" + logout_token).status(), 303);
  EXPECT_FALSE(get("/", jar).has("signed in as"));
  EXPECT_FALSE(get("/", replay).has("signed in as")); // sign-out bumped session_gen
}

// The login shares the accounts app's sign-in throttle (and its table in the shared database):
// after 5 wrong passwords the right one is refused with 429 + Retry-After on the error page;
// once the failures are older than the window (aged in the database, no sleeping) it works.
TEST_P(Site, LoginIsThrottledAfterRepeatedFailures) {
  Jar jar;
  const auto token = csrf_of(get("/login", jar));
  const std::string good = "csrf_token=" + token + "&email=alice%40example.org&password=";
  for (int i = 0; i < 5; ++i)
    ASSERT_EQ(request("POST", "/login", jar, good + "wrong").status(), 401) << i;
  auto locked = request("POST", "/login", jar, good + "correct+horse");
  EXPECT_EQ(locked.status(), 429);
  EXPECT_TRUE(locked.has("too many failed sign-ins")) << locked.r.body;
  EXPECT_FALSE(locked.r.header("Retry-After").value_or("").empty());
  EXPECT_FALSE(get("/", jar).has("signed in as"));
  {
    fh::sqlite::Connection db((g_world->dir / "accounts.db").string());
    db.execute("UPDATE signin_failures SET at = at - 901");
  }
  EXPECT_EQ(request("POST", "/login", jar, good + "correct+horse").status(), 303);
  EXPECT_TRUE(get("/", jar).has("signed in as"));
}

TEST_P(Site, CustomNotFoundAndServerErrorPages) {
  Jar jar;
  auto nf = get("/no/such/page", jar);
  EXPECT_EQ(nf.status(), 404);
  EXPECT_TRUE(nf.has("<title>Not Found - fcgi-host site</title>")) << nf.r.body;
  EXPECT_TRUE(nf.has("There is no page at /no/such/page."));
  auto boom = get("/boom", jar);
  EXPECT_EQ(boom.status(), 500);
  EXPECT_TRUE(boom.has("<p class=\"error-status\">500 Internal Server Error</p>")) << boom.r.body;
  EXPECT_FALSE(boom.has("deliberate")); // the exception's text stays in the log
  EXPECT_EQ(request("DELETE", "/page", jar).status(), 405);
}

// The /api blueprint answers JSON, errors included (its own error handlers), while the rest of
// the site answers HTML pages; whoami reads the user the before_request hook put in the context.
TEST_P(Site, ApiBlueprintAnswersJsonWithItsOwnErrors) {
  Jar jar;
  auto anonymous = get("/api/whoami", jar);
  EXPECT_EQ(anonymous.status(), 401);
  EXPECT_EQ(anonymous.r.json()["error"], "not signed in") << anonymous.r.body;
  auto missing = get("/api/nothing", jar);
  EXPECT_EQ(missing.status(), 404);
  EXPECT_EQ(missing.r.json()["status"], 404) << missing.r.body;
  auto wrong = request("DELETE", "/api/links", jar);
  EXPECT_EQ(wrong.status(), 405);
  EXPECT_EQ(wrong.r.header("Allow").value_or(""), "GET, HEAD, OPTIONS");
  EXPECT_EQ(wrong.r.json()["error"], "Method Not Allowed");
  auto links = get("/api/links", jar).r.json();
  EXPECT_EQ(links["self"], "/api/links"); // url_for(".links"): relative to the blueprint
  EXPECT_EQ(links["whoami"], "/api/whoami");
  const auto token = csrf_of(get("/login", jar));
  ASSERT_EQ(request("POST", "/login", jar,
                    "csrf_token=" + token + "&email=alice%40example.org&password=correct+horse")
                .status(),
            303);
  auto me = get("/api/whoami", jar);
  EXPECT_EQ(me.status(), 200);
  EXPECT_EQ(me.r.json()["name"], "Alice <A>") << me.r.body;
}

INSTANTIATE_TEST_SUITE_P(Modes, Site, ::testing::Values(Mode::Cgi, Mode::Fcgi),
                         [](const ::testing::TestParamInfo<Mode>& p) {
                           return std::string(p.param == Mode::Cgi ? "Cgi" : "Fcgi");
                         });

} // namespace
