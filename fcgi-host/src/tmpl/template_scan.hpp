// The template scanner: checks a template's AUTOESCAPE first line and reads its markers
// ({{VAR}}, {{#SECTION}}...{{/SECTION}}, {{>INCLUDE}}) into a tree the strict check walks.
// It does not expand anything (ctemplate does); it only needs to know which names are used where.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace fh::detail {

struct TemplateNode {
  enum class Kind { Variable, Section, Include };
  Kind kind = Kind::Variable;
  std::string name;
  int line = 0;
  std::vector<TemplateNode> children; // sections only
};

// The auto-escape contexts a template may declare (ctemplate's, minus NONE).
bool is_escaping_context(std::string_view context);

// Returns "" if `text` starts with {{%AUTOESCAPE context="C"}} for a known context C (optionally
// with state="IN_TAG"), else a one-line description of what is wrong.
std::string check_autoescape_header(std::string_view text);

// Parses the markers of `text`. Throws std::invalid_argument ("line N: ...") on an unclosed or
// mismatched section, an unterminated marker, or a delimiter change ({{=...=}}, not supported).
std::vector<TemplateNode> scan_template(std::string_view text);

} // namespace fh::detail
