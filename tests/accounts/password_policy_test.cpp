// The accounts password policy in-process (apps/accounts/password_policy.cpp): whitespace-only
// passwords, the compiled-in common list, case and appended digits; acceptable passphrases pass.
#include "accounts.hpp"

#include <gtest/gtest.h>

namespace {

using accounts::is_common_password;
using accounts::password_problem;

TEST(PasswordPolicy, OnlyWhitespaceIsRefused) {
  for (const std::string pw : {"          ", "\t\t\t\t\t\n\n\n\n\n", "\r\v\f         ",
                               // U+00A0, U+2003, U+3000, U+202F, U+205F, U+1680, U+2028
                               "\u00a0\u00a0\u2003\u2003\u3000\u3000\u202f\u205f\u1680\u2028"})
    EXPECT_EQ(password_problem(pw), "password must not be only whitespace") << pw;
  EXPECT_EQ(password_problem("    x     "), std::nullopt); // one visible character is enough here
}

TEST(PasswordPolicy, CommonPasswordsAreRefused) {
  for (const std::string pw :
       {"1234567890", "qwertyuiop", "basketball", "BasketBall", "  basketball  ", "harrypotter",
        "password123", "Password123!", "password 2024", "iloveyou!!!!", "monkey123456",
        "1234567890!!", "sunshine_99"})
    EXPECT_TRUE(is_common_password(pw)) << pw;
  EXPECT_EQ(password_problem("qwertyuiop"),
            "password is one of the most common passwords: choose another");
}

TEST(PasswordPolicy, OtherPasswordsPass) {
  for (const std::string pw : {"correct horse battery staple", "a long password",
                               "sam's long passphrase", "basketball court at dawn", "2024password",
                               "p4ssw0rd-but-longer", "12345678901234567", "émile's café password"})
    EXPECT_EQ(password_problem(pw), std::nullopt) << pw;
}

TEST(PasswordPolicy, TheListIsLoaded) {
  // The first and last entries of common-passwords.txt, one that had capitals upstream, and
  // none of its comment lines.
  EXPECT_TRUE(is_common_password("!@#$%"));
  EXPECT_TRUE(is_common_password("zzz"));
  EXPECT_TRUE(is_common_password("MATTHEW")); // "Matthew" upstream
  EXPECT_FALSE(is_common_password("#!comment:"));
  EXPECT_FALSE(is_common_password(""));
}

} // namespace
