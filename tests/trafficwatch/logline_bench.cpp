// A quick measurement of the line parser alone (not run by CTest): parses a generated set of
// lines, mixed like a real log (IPv4/IPv6, escapes, upstream lists), and prints lines per second.
#include "logline.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  const long total = argc > 1 ? std::atol(argv[1]) : 5000000;
  std::vector<std::string> lines;
  for (int i = 0; i < 1000; ++i) {
    std::string addr = i % 5 == 0 ? "2001:db8::" + std::to_string(i % 97 + 1)
                                  : "10.0." + std::to_string(i % 250) + "." + std::to_string(i % 7);
    lines.push_back(addr + " - - [10/Oct/2026:13:" + std::to_string(10 + i % 50) +
                    ":36 +0200] \"GET /shop/item/" + std::to_string(i) + "?ref=home HTTP/1.1\" " +
                    (i % 50 == 0 ? "502" : "200") + " " + std::to_string(1000 + i * 37) +
                    " \"https://example.org/shop/\" \"Mozilla/5.0 (X11; Linux x86_64) "
                    "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36\" 0.0" +
                    std::to_string(10 + i % 80) + (i % 3 == 0 ? " 0.010, 0.004" : " 0.009"));
  }
  std::size_t bytes = 0, valid = 0;
  const auto t0 = std::chrono::steady_clock::now();
  tw::LogLine l;
  for (long n = 0; n < total; ++n) {
    const std::string& s = lines[std::size_t(n) % lines.size()];
    bytes += s.size();
    valid += tw::parse_line(s, l) == tw::LineError::Ok;
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("%ld lines (%zu valid, %.0f bytes/line) in %.3f s: %.0f lines/s, %.0f MB/s\n", total,
              valid, double(bytes) / double(total), secs, double(total) / secs,
              double(bytes) / secs / 1e6);
  return valid == std::size_t(total) ? 0 : 1;
}
