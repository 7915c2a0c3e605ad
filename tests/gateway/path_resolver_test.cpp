// Unit tests for spawn/gateway/path_resolver: the pure splitting rules and the filesystem walk
// over a scratch CGI directory (symlinks in and out, dotfiles, modes, directories).
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <unistd.h>

#include "path_resolver.hpp"

namespace fs = std::filesystem;
using namespace fh::gateway;

TEST(SplitRequestPath, SplitsBelowPrefix) {
  auto s = split_request_path("/cgi-bin", "/cgi-bin/a/b.sh/x");
  ASSERT_EQ(s.status, 0);
  EXPECT_EQ(s.segments, (std::vector<std::string>{"a", "b.sh", "x"}));
  EXPECT_EQ(split_request_path("", "/a.sh").segments, std::vector<std::string>{"a.sh"});
  EXPECT_TRUE(split_request_path("/cgi-bin", "/cgi-bin").segments.empty());
}

TEST(SplitRequestPath, RejectsPathsOutsidePrefix) {
  EXPECT_EQ(split_request_path("/cgi-bin", "/cgi-binx/a.sh").status, 404);
  EXPECT_EQ(split_request_path("/cgi-bin", "/other/a.sh").status, 404);
  EXPECT_EQ(split_request_path("/cgi-bin", "").status, 404);
}

TEST(SplitRequestPath, RejectsDotAndEncodedSegmentsAnywhere) {
  for (const char* p :
       {"/cgi-bin/../etc/passwd", "/cgi-bin/a.sh/../../x", "/cgi-bin/./a.sh", "/cgi-bin/%2e%2e/x",
        "/cgi-bin/%2E%2e/x", "/cgi-bin/.%2e/x", "/cgi-bin/a.sh/%2e%2e", "/cgi-bin/a%2fb.sh",
        "/cgi-bin/a%2Fb", "/cgi-bin/a%5cb", "/cgi-bin/a%00.sh", "/cgi-bin/a.sh/.."})
    EXPECT_EQ(split_request_path("/cgi-bin", p).status, 403) << p;
}

TEST(SplitRequestPath, RejectsControlCharacters) {
  EXPECT_EQ(split_request_path("/cgi-bin", std::string("/cgi-bin/a\0b", 12)).status, 403);
  EXPECT_EQ(split_request_path("/cgi-bin", "/cgi-bin/a\nb").status, 403);
  EXPECT_EQ(split_request_path("/cgi-bin", "/cgi-bin/a\x7f").status, 403);
}

TEST(WalkableSegment, Rules) {
  EXPECT_TRUE(walkable_segment("hello.sh"));
  EXPECT_FALSE(walkable_segment(""));
  EXPECT_FALSE(walkable_segment(".htaccess"));
  EXPECT_FALSE(walkable_segment("a%41"));
  EXPECT_FALSE(walkable_segment("a\\b"));
}

TEST(RequestPath, CombinesScriptNameAndPathInfo) {
  EXPECT_EQ(request_path("/cgi-bin/a.sh", "/x/y", "/ignored"), "/cgi-bin/a.sh/x/y");
  EXPECT_EQ(request_path("/cgi-bin/a.sh/x", "", "/ignored"), "/cgi-bin/a.sh/x");
  EXPECT_EQ(request_path("", "", "/cgi-bin/a.sh"), "/cgi-bin/a.sh");
}

class ResolveScript : public ::testing::Test {
protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() / ("gw_resolve_" + std::to_string(::getpid()));
    fs::remove_all(base_);
    fs::create_directories(base_ / "cgi/sub");
    fs::create_directories(base_ / "outside");
    make_file(base_ / "cgi/run.sh", 0755);
    make_file(base_ / "cgi/sub/deep.sh", 0755);
    make_file(base_ / "cgi/plain.txt", 0644);
    make_file(base_ / "cgi/.hidden.sh", 0755);
    make_file(base_ / "outside/evil.sh", 0755);
    fs::create_symlink(base_ / "outside/evil.sh", base_ / "cgi/escape.sh");
    fs::create_symlink(base_ / "outside", base_ / "cgi/escdir");
    fs::create_symlink("run.sh", base_ / "cgi/alias.sh");
    fs::create_symlink(".hidden.sh", base_ / "cgi/tohidden.sh");
    root_ = canonical_root((base_ / "cgi").string());
  }
  void TearDown() override { fs::remove_all(base_); }
  static void make_file(const fs::path& p, unsigned mode) {
    std::ofstream(p) << "#!/bin/sh\n";
    fs::permissions(p, static_cast<fs::perms>(mode));
  }
  ResolvedScript resolve(std::string_view path) { return resolve_script(root_, "/cgi-bin", path); }

  fs::path base_;
  std::string root_;
};

TEST_F(ResolveScript, FindsScriptAndPathInfo) {
  auto r = resolve("/cgi-bin/run.sh/extra/path");
  ASSERT_EQ(r.status, 0) << r.reason;
  EXPECT_EQ(r.script_name, "/cgi-bin/run.sh");
  EXPECT_EQ(r.path_info, "/extra/path");
  EXPECT_EQ(r.filename, root_ + "/run.sh");
  r = resolve("/cgi-bin/sub/deep.sh");
  ASSERT_EQ(r.status, 0) << r.reason;
  EXPECT_EQ(r.script_name, "/cgi-bin/sub/deep.sh");
  EXPECT_EQ(r.path_info, "");
  EXPECT_EQ(resolve("/cgi-bin/run.sh/").path_info, "/");
}

TEST_F(ResolveScript, NotFoundAndDotfilesAre404) {
  EXPECT_EQ(resolve("/cgi-bin/missing.sh").status, 404);
  EXPECT_EQ(resolve("/cgi-bin/sub/missing.sh/x").status, 404);
  EXPECT_EQ(resolve("/cgi-bin/.hidden.sh").status, 404);
  EXPECT_EQ(resolve("/cgi-bin/tohidden.sh").status, 404);
  EXPECT_EQ(resolve("/elsewhere/run.sh").status, 404);
}

TEST_F(ResolveScript, ForbiddenThingsAre403) {
  EXPECT_EQ(resolve("/cgi-bin/plain.txt").status, 403); // not executable
  EXPECT_EQ(resolve("/cgi-bin/sub").status, 403);       // directory
  EXPECT_EQ(resolve("/cgi-bin/sub/").status, 403);      // directory
  EXPECT_EQ(resolve("/cgi-bin").status, 403);           // the root itself
  EXPECT_EQ(resolve("/cgi-bin//run.sh").status, 403);   // empty segment
  EXPECT_EQ(resolve("/cgi-bin/escape.sh").status, 403); // symlink out of the root
  EXPECT_EQ(resolve("/cgi-bin/escdir/evil.sh").status, 403);
  EXPECT_EQ(resolve("/cgi-bin/../outside/evil.sh").status, 403);
  EXPECT_EQ(resolve("/cgi-bin/%2e%2e/outside/evil.sh").status, 403);
  EXPECT_EQ(resolve("/cgi-bin/sub%2fdeep.sh").status, 403);
}

TEST_F(ResolveScript, SymlinkInsideRootIsFollowed) {
  auto r = resolve("/cgi-bin/alias.sh/p");
  ASSERT_EQ(r.status, 0) << r.reason;
  EXPECT_EQ(r.script_name, "/cgi-bin/alias.sh");
  EXPECT_EQ(r.filename, root_ + "/run.sh");
  EXPECT_EQ(r.path_info, "/p");
}

TEST_F(ResolveScript, EmptyPrefixMapsTheRoot) {
  auto r = resolve_script(root_, "", "/run.sh");
  ASSERT_EQ(r.status, 0) << r.reason;
  EXPECT_EQ(r.script_name, "/run.sh");
}

TEST(CanonicalRoot, RejectsMissingAndFilesystemRoot) {
  EXPECT_THROW(canonical_root("/nonexistent/dir/for/test"), std::runtime_error);
  EXPECT_THROW(canonical_root("/"), std::runtime_error);
}
