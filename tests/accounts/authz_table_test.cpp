// The permission table's guard at registration, in-process (the app's own objects): an api route
// whose endpoint has no rule is refused when make_app() registers it, so it cannot ship unguarded.
#include "accounts.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace {

fh::Response ok(fh::Request&) {
  return fh::Response::text("ok");
}

TEST(AuthzTable, ARouteWithoutARuleIsRefusedAtRegistration) {
  fh::Blueprint api("api", "/api");
  EXPECT_THROW(accounts::add_route(api, "/debug", {fh::GET}, ok, "debug"), std::logic_error);
  EXPECT_NO_THROW(accounts::add_route(api, "/me", {fh::GET}, ok, "me"));
  fh::Blueprint other("other", "/other"); // rules are per endpoint name, blueprint included
  EXPECT_THROW(accounts::add_route(other, "/me", {fh::GET}, ok, "me"), std::logic_error);
}

} // namespace
