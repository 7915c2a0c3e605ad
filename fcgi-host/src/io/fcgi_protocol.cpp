// See fcgi_protocol.hpp. Record layout and constants come from libfcgi's <fastcgi.h>.
#include "io/fcgi_protocol.hpp"

#include "io/body_reader.hpp"

#include <fastcgi.h>

#include <algorithm>

namespace fh::detail {
namespace {

constexpr std::size_t kHeaderLen = FCGI_HEADER_LEN;
constexpr std::size_t kKeptParamsCapacity = 8 * 1024;

std::uint32_t read_length(std::string_view data, std::size_t& i, bool& ok) {
  if (i >= data.size()) {
    ok = false;
    return 0;
  }
  const auto b0 = static_cast<unsigned char>(data[i]);
  if ((b0 & 0x80) == 0) {
    ++i;
    return b0;
  }
  if (data.size() - i < 4) {
    ok = false;
    return 0;
  }
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(data[i + k]); };
  const std::uint32_t n = ((b0 & 0x7fu) << 24) | (std::uint32_t{byte(1)} << 16) |
                          (std::uint32_t{byte(2)} << 8) | byte(3);
  i += 4;
  return n;
}

void append_length(std::string& out, std::size_t n) {
  if (n < 0x80) {
    out.push_back(static_cast<char>(n));
    return;
  }
  out.push_back(static_cast<char>(((n >> 24) & 0x7f) | 0x80));
  out.push_back(static_cast<char>((n >> 16) & 0xff));
  out.push_back(static_cast<char>((n >> 8) & 0xff));
  out.push_back(static_cast<char>(n & 0xff));
}

} // namespace

bool decode_fcgi_params(std::string_view data,
                        std::vector<std::pair<std::string, std::string>>& out) {
  std::size_t i = 0;
  while (i < data.size()) {
    bool ok = true;
    const std::uint32_t nlen = read_length(data, i, ok);
    const std::uint32_t vlen = read_length(data, i, ok);
    if (!ok || nlen > data.size() - i || vlen > data.size() - i - nlen) return false;
    out.emplace_back(data.substr(i, nlen), data.substr(i + nlen, vlen));
    i += std::size_t{nlen} + vlen;
  }
  return true;
}

std::string encode_fcgi_params(const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::string out;
  for (const auto& [name, value] : pairs) {
    append_length(out, name.size());
    append_length(out, value.size());
    out += name;
    out += value;
  }
  return out;
}

void append_fcgi_record(std::string& out, int type, std::uint16_t id, std::string_view content) {
  const std::size_t n = std::min<std::size_t>(content.size(), FCGI_MAX_LENGTH);
  const char header[kHeaderLen] = {FCGI_VERSION_1,
                                   static_cast<char>(type),
                                   static_cast<char>(id >> 8),
                                   static_cast<char>(id & 0xff),
                                   static_cast<char>(n >> 8),
                                   static_cast<char>(n & 0xff),
                                   0,
                                   0};
  out.append(header, kHeaderLen);
  out.append(content.data(), n);
}

void append_fcgi_response(std::string& out, std::uint16_t id, std::string_view body) {
  out.reserve(out.size() + body.size() + (body.size() / FCGI_MAX_LENGTH + 3) * kHeaderLen + 8);
  // Chunks of 65528 bytes: a multiple of 8, as libfcgi writes them.
  constexpr std::size_t kChunk = FCGI_MAX_LENGTH & ~std::size_t{7};
  for (std::size_t i = 0; i < body.size(); i += kChunk)
    append_fcgi_record(out, FCGI_STDOUT, id, body.substr(i, kChunk));
  append_fcgi_record(out, FCGI_STDOUT, id, {});
  const char end[8] = {0, 0, 0, 0, FCGI_REQUEST_COMPLETE, 0, 0, 0};
  append_fcgi_record(out, FCGI_END_REQUEST, id, std::string_view(end, sizeof end));
}

bool FcgiParser::feed(std::string_view bytes) {
  if (!error_.empty()) return false;
  in_.append(bytes);
  return parse();
}

std::optional<FcgiRequest> FcgiParser::next() {
  std::optional<FcgiRequest> r = std::move(ready_);
  ready_.reset();
  if (r && error_.empty()) parse(); // what was buffered behind it (a pipelined request)
  return r;
}

std::string FcgiParser::take_output() {
  return std::exchange(out_, {});
}

bool FcgiParser::mid_request() const noexcept {
  return active_ || buffered() > 0;
}

bool FcgiParser::parse() {
  while (!ready_ && in_.size() - pos_ >= kHeaderLen) {
    const auto* h = reinterpret_cast<const unsigned char*>(in_.data() + pos_);
    if (h[0] != FCGI_VERSION_1) {
      error_ = "FastCGI record with version " + std::to_string(h[0]);
      return false;
    }
    const std::size_t len = (std::size_t{h[4]} << 8) | h[5];
    const std::size_t total = kHeaderLen + len + h[6];
    if (in_.size() - pos_ < total) break; // the rest of this record is still on its way
    const int type = h[1];
    const auto id = static_cast<std::uint16_t>((h[2] << 8) | h[3]);
    const std::string_view content(in_.data() + pos_ + kHeaderLen, len);
    if (!on_record(type, id, content)) return false;
    pos_ += total;
  }
  in_.erase(0, pos_);
  pos_ = 0;
  return true;
}

bool FcgiParser::on_record(int type, std::uint16_t id, std::string_view content) {
  if (id == FCGI_NULL_REQUEST_ID) {
    if (type == FCGI_GET_VALUES) {
      on_get_values(content);
    } else {
      const char body[8] = {static_cast<char>(type), 0, 0, 0, 0, 0, 0, 0};
      append_fcgi_record(out_, FCGI_UNKNOWN_TYPE, 0, std::string_view(body, sizeof body));
    }
    return true;
  }
  switch (type) {
  case FCGI_BEGIN_REQUEST:
    if (content.size() != sizeof(FCGI_BeginRequestBody)) {
      error_ = "FCGI_BEGIN_REQUEST of " + std::to_string(content.size()) + " bytes";
      return false;
    }
    on_begin(id, content);
    return true;
  case FCGI_ABORT_REQUEST:
    if (active_ && id == cur_.id) {
      active_ = false;
      end_request(id, FCGI_REQUEST_COMPLETE);
      if (!cur_.keep_conn) close_after_output_ = true;
      cur_ = {};
      params_.clear();
    }
    return true;
  case FCGI_PARAMS:
    if (active_ && id == cur_.id && !params_done_) on_params(content);
    return true;
  case FCGI_STDIN:
    if (!active_ || id != cur_.id) return true; // a request we do not serve: ignored (spec §3.3)
    if (!params_done_) {
      error_ = "FCGI_STDIN before the end of FCGI_PARAMS";
      return false;
    }
    on_stdin(content);
    return true;
  default:
    return true; // FCGI_DATA (filter role, refused at BEGIN) and types with no meaning to us
  }
}

void FcgiParser::on_begin(std::uint16_t id, std::string_view content) {
  const auto* b = reinterpret_cast<const unsigned char*>(content.data());
  const int role = (b[0] << 8) | b[1];
  const bool keep = (b[2] & FCGI_KEEP_CONN) != 0;
  if (active_) { // we do not multiplex (FCGI_MPXS_CONNS = 0)
    end_request(id, FCGI_CANT_MPX_CONN);
    return;
  }
  if (role != FCGI_RESPONDER) {
    end_request(id, FCGI_UNKNOWN_ROLE);
    if (!keep) close_after_output_ = true;
    return;
  }
  active_ = true;
  params_done_ = params_over_ = body_over_ = false;
  cur_ = {};
  cur_.id = id;
  cur_.keep_conn = keep;
  cur_.raw.params.reserve(32); // nginx sends ~25 params: one allocation, not six
  params_.clear();
}

void FcgiParser::on_params(std::string_view content) {
  if (content.empty()) {
    params_done_ = true;
    if (!params_over_ && !decode_fcgi_params(params_, cur_.raw.params)) {
      cur_.raw.params.clear();
      cur_.raw.input_error_status = 400;
      cur_.raw.input_error = "malformed FastCGI params";
    }
    // Kept for the next request on the connection (no allocation per request), unless a large
    // request grew it: an idle connection then holds no more than a few KiB.
    if (params_.capacity() > kKeptParamsCapacity)
      std::string().swap(params_);
    else
      params_.clear();
    return;
  }
  if (params_over_) return;
  if (params_.size() + content.size() > limits_.max_params_bytes) {
    params_over_ = true; // read on to the end and answer 431; keep nothing
    std::string().swap(params_);
    return;
  }
  params_.append(content);
}

void FcgiParser::on_stdin(std::string_view content) {
  if (content.empty()) {
    finish_request();
    return;
  }
  std::string& body = cur_.raw.body;
  if (body_over_) return;
  if (body.size() + content.size() > limits_.max_body_bytes) {
    body_over_ = true; // read on to the end and answer 413; keep nothing
    std::string().swap(body);
    return;
  }
  body.append(content);
}

void FcgiParser::finish_request() {
  RawRequest& raw = cur_.raw;
  auto refuse = [&](int status, const char* why) {
    raw.input_error_status = status;
    raw.input_error = why;
    std::string().swap(raw.body);
  };
  if (params_over_) {
    refuse(431, "request headers larger than the limit");
  } else if (raw.input_error_status == 0) {
    const auto declared = parse_content_length(raw.param("CONTENT_LENGTH"));
    if (!declared)
      refuse(400, "malformed Content-Length");
    else if (body_over_ || *declared > limits_.max_body_bytes)
      refuse(413, "request body larger than the limit");
    else if (raw.body.size() < *declared)
      refuse(400, "request body shorter than Content-Length");
    else if (raw.body.size() > *declared)
      refuse(400, "request body longer than Content-Length");
  }
  active_ = false;
  ready_ = std::move(cur_);
  cur_ = {};
}

void FcgiParser::on_get_values(std::string_view content) {
  std::vector<std::pair<std::string, std::string>> asked, answer;
  decode_fcgi_params(content, asked); // a malformed tail is ignored: answer what was readable
  for (const auto& [name, value] : asked) {
    if (name == FCGI_MAX_CONNS)
      answer.emplace_back(name, std::to_string(limits_.max_conns));
    else if (name == FCGI_MAX_REQS)
      answer.emplace_back(name, std::to_string(limits_.max_reqs));
    else if (name == FCGI_MPXS_CONNS)
      answer.emplace_back(name, "0");
  }
  append_fcgi_record(out_, FCGI_GET_VALUES_RESULT, 0, encode_fcgi_params(answer));
}

void FcgiParser::end_request(std::uint16_t id, std::uint8_t protocol_status) {
  const char body[8] = {0, 0, 0, 0, static_cast<char>(protocol_status), 0, 0, 0};
  append_fcgi_record(out_, FCGI_END_REQUEST, id, std::string_view(body, sizeof body));
}

} // namespace fh::detail
