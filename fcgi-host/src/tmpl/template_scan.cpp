// The template scanner: the AUTOESCAPE first-line rule and a marker tree for the strict check.
// Marker syntax follows ctemplate: {{NAME[:mods]}}, {{#S}}, {{/S}}, {{>I[:mods]}}, {{!c}}, {{%p}}.
#include "tmpl/template_scan.hpp"

#include <array>
#include <stdexcept>

namespace fh::detail {
namespace {

constexpr std::string_view kPragma = "{{%AUTOESCAPE context=\"";

int count_lines(std::string_view text, std::size_t from, std::size_t to) {
  int n = 0;
  for (std::size_t i = from; i < to; ++i)
    n += text[i] == '\n' ? 1 : 0;
  return n;
}

[[noreturn]] void fail(int line, const std::string& what) {
  throw std::invalid_argument("line " + std::to_string(line) + ": " + what);
}

std::string name_of(std::string_view body) {
  return std::string(body.substr(0, body.find(':')));
}

} // namespace

bool is_escaping_context(std::string_view context) {
  constexpr std::array<std::string_view, 5> kContexts = {"HTML", "JAVASCRIPT", "CSS", "JSON",
                                                         "XML"};
  for (auto c : kContexts)
    if (c == context) return true;
  return false;
}

std::string check_autoescape_header(std::string_view text) {
  if (text.substr(0, kPragma.size()) != kPragma)
    return "does not start with {{%AUTOESCAPE context=\"...\"}} (auto-escaping is required)";
  text.remove_prefix(kPragma.size());
  const auto quote = text.find('"');
  if (quote == std::string_view::npos) return "unterminated AUTOESCAPE pragma";
  const auto context = text.substr(0, quote);
  if (!is_escaping_context(context))
    return "AUTOESCAPE context \"" + std::string(context) +
           "\" is not one of HTML, JAVASCRIPT, CSS, JSON, XML";
  const auto end = text.find("}}");
  const auto newline = text.find('\n');
  if (end == std::string_view::npos || (newline != std::string_view::npos && newline < end))
    return "the AUTOESCAPE pragma must be closed on the first line";
  return {};
}

std::vector<TemplateNode> scan_template(std::string_view text) {
  // stack.front() is the template's top level; each open section pushes one entry.
  std::vector<std::vector<TemplateNode>> stack(1);
  std::vector<TemplateNode> open; // the open sections (their children are in stack)
  std::size_t pos = 0;
  int line = 1;
  for (;;) {
    const auto start = text.find("{{", pos);
    if (start == std::string_view::npos) break;
    line += count_lines(text, pos, start);
    const auto end = text.find("}}", start + 2);
    if (end == std::string_view::npos) fail(line, "unterminated {{ marker");
    const auto body = text.substr(start + 2, end - start - 2);
    const int marker_line = line;
    line += count_lines(text, start, end);
    pos = end + 2;
    if (body.empty()) fail(marker_line, "empty marker {{}}");
    TemplateNode node;
    node.line = marker_line;
    switch (body.front()) {
    case '!':
    case '%':
      continue;
    case '=':
      fail(marker_line, "delimiter changes ({{=...=}}) are not supported");
    case '#':
      node.kind = TemplateNode::Kind::Section;
      node.name = std::string(body.substr(1));
      open.push_back(std::move(node));
      stack.emplace_back();
      continue;
    case '/':
      if (open.empty() || open.back().name != body.substr(1))
        fail(marker_line, "{{/" + std::string(body.substr(1)) + "}} closes no open section");
      open.back().children = std::move(stack.back());
      stack.pop_back();
      stack.back().push_back(std::move(open.back()));
      open.pop_back();
      continue;
    case '>':
      node.kind = TemplateNode::Kind::Include;
      node.name = name_of(body.substr(1));
      break;
    default:
      node.name = name_of(body);
    }
    stack.back().push_back(std::move(node));
  }
  if (!open.empty())
    fail(open.back().line, "section {{#" + open.back().name + "}} is never closed");
  return std::move(stack.front());
}

} // namespace fh::detail
