// Fuzz target: session cookie decoding (fcgihost/session.hpp). Each input is decoded twice: as
// the cookie value a client sent (it cannot carry a valid MAC, so it must be refused) and as the
// signed part "base64url(payload).expiry" of a cookie that this target signs with the codec's
// key, to reach the checks behind the MAC. decode() never throws; what it accepts re-encodes to
// a cookie that decodes to the same payload.
#include "fcgihost/session.hpp"
#include "fuzz_support.hpp"

#include <sodium.h>

#include <string>

namespace {

constexpr std::string_view kSecret = "session fuzz secret, at least 32 bytes long";
constexpr std::int64_t kNow = 1'800'000'000;

std::string b64url(const unsigned char* bin, std::size_t size) {
  std::string out(sodium_base64_ENCODED_LEN(size, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), bin, size, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(out.find('\0'));
  return out;
}

// The cookie the codec would issue for `signed_part`: the same key derivation (SHA-256 of the
// secret) and HMAC-SHA256 as session.cpp.
std::string sign(std::string_view signed_part) {
  unsigned char key[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(key, reinterpret_cast<const unsigned char*>(kSecret.data()), kSecret.size());
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256(mac, reinterpret_cast<const unsigned char*>(signed_part.data()),
                         signed_part.size(), key);
  return std::string(signed_part) + "." + b64url(mac, sizeof mac);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const fh::SessionCodec codec(kSecret);
  const std::string_view in = fh::fuzz::as_view(data, size);

  // As sent by a client: forging the MAC is not something a fuzzer does.
  FH_FUZZ_CHECK(!codec.decode(in, kNow));

  const std::string cookie = sign(in);
  const auto payload = codec.decode(cookie, kNow);
  if (!payload) return 0;
  FH_FUZZ_CHECK(payload->is_object());
  const auto again = codec.decode(codec.encode(*payload, kNow + 60), kNow);
  FH_FUZZ_CHECK(again && *again == *payload);
  return 0;
}
