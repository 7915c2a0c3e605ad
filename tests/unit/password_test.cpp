// Unit tests for the sign-in check that does not reveal whether an account exists: the dummy
// hash has the cost parameters a real hash at that cost has, and check_password accepts only a
// matching stored hash.
#include "fcgihost/password.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace {

// "$argon2id$v=19$m=65536,t=2,p=1$": the part of a hash string that decides its cost.
std::string params_of(const std::string& hash) {
  return hash.substr(0, hash.find('$', hash.find("m=")));
}

TEST(Password, DummyHashCostsWhatARealHashCosts) {
  for (const auto& cost : {fh::PasswordCost::minimum(), fh::PasswordCost::interactive()}) {
    const auto real = fh::hash_password("anything", cost);
    EXPECT_EQ(params_of(fh::dummy_password_hash(cost)), params_of(real));
  }
  const fh::PasswordCost odd{fh::PasswordCost::minimum().opslimit + 1,
                             fh::PasswordCost::minimum().memlimit};
  EXPECT_EQ(params_of(fh::dummy_password_hash(odd)), params_of(fh::hash_password("x", odd)));
}

TEST(Password, CheckPasswordNeedsAnAccountAndTheRightPassword) {
  const auto cost = fh::PasswordCost::minimum();
  const auto hash = fh::hash_password("correct horse", cost);
  EXPECT_TRUE(fh::check_password(hash, "correct horse", cost));
  EXPECT_FALSE(fh::check_password(hash, "wrong", cost));
  EXPECT_FALSE(fh::check_password(std::nullopt, "correct horse", cost));
  EXPECT_FALSE(fh::check_password(std::nullopt, "no such user: timing equaliser", cost));
}

} // namespace
