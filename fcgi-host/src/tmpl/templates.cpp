// Templates: the loader (name check, AUTOESCAPE rule, marker scan, ctemplate parse into this
// object's own TemplateCache), the strict variable check, and expansion into a Response.
// The only file that includes ctemplate.
#include "fcgihost/template.hpp"

#include "fcgihost/http_error.hpp"
#include "fcgihost/log.hpp"
#include "tmpl/template_scan.hpp"

#include <ctemplate/template.h>
#include <ctemplate/template_cache.h>

#include <fstream>
#include <mutex>
#include <sstream>

namespace fh {
namespace detail {

struct TemplatesImpl {
  std::filesystem::path root;
  TemplateOptions options;
  std::unique_ptr<ctemplate::TemplateCache> cache = std::make_unique<ctemplate::TemplateCache>();
  std::mutex mu; // guards loaded, frozen
  std::map<std::string, std::shared_ptr<const std::vector<TemplateNode>>, std::less<>> loaded;
  bool frozen = false;
};

} // namespace detail

namespace {

using detail::TemplateNode;
using Chain = std::vector<const TemplateDict*>; // innermost last
constexpr auto kStrip = ctemplate::STRIP_BLANK_LINES;

[[noreturn]] void fail(std::string_view name, const std::string& what) {
  throw TemplateError("template \"" + std::string(name) + "\": " + what);
}

void check_name(std::string_view name) {
  if (name.empty() || name.front() == '/' || name.find('\0') != std::string_view::npos)
    fail(name, "bad template name (want a path relative to the templates directory)");
  for (const auto& part : std::filesystem::path(name))
    if (part == "..") fail(name, "bad template name (\"..\" is not allowed)");
}

std::optional<std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  return std::move(ss).str();
}

// The first dictionary in `chain` (innermost first) with rows for `name` in `member`.
const TemplateDict::Children::mapped_type*
lookup(const Chain& chain, std::string_view name,
       const TemplateDict::Children& (TemplateDict::*member)() const) {
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    const auto& children = ((*it)->*member)();
    if (auto f = children.find(name); f != children.end() && !f->second.empty()) return &f->second;
  }
  return nullptr;
}

bool has_variable(const Chain& chain, std::string_view name) {
  if (name == "BI_SPACE" || name == "BI_NEWLINE") return true;
  for (const auto* d : chain)
    if (d->find(name) != nullptr) return true;
  return false;
}

void fill(ctemplate::TemplateDictionary& out, const TemplateDict& in) {
  for (const auto& [k, v] : in.values())
    out.SetValue(k, v);
  for (const auto& [k, rows] : in.sections())
    for (const auto& row : rows)
      fill(*out.AddSectionDictionary(k), *row);
  for (const auto& [k, rows] : in.includes())
    for (const auto& row : rows) {
      auto* d = out.AddIncludeDictionary(k);
      d->SetFilename(row->filename());
      fill(*d, *row);
    }
}

} // namespace

namespace detail {

// Loads `name` once (checks, scan, ctemplate parse); returns its marker tree. Throws TemplateError.
std::shared_ptr<const std::vector<TemplateNode>> load_template(TemplatesImpl& t,
                                                               std::string_view name) {
  check_name(name);
  std::lock_guard lock(t.mu);
  if (auto it = t.loaded.find(name); it != t.loaded.end()) return it->second;
  if (t.frozen) fail(name, "not loaded before the template cache was frozen");
  auto text = read_file(t.root / name);
  if (!text) fail(name, "not found in " + t.root.string());
  if (auto problem = check_autoescape_header(*text); !problem.empty()) fail(name, problem);
  std::shared_ptr<const std::vector<TemplateNode>> nodes;
  try {
    nodes = std::make_shared<const std::vector<TemplateNode>>(scan_template(*text));
  } catch (const std::invalid_argument& e) {
    fail(name, e.what());
  }
  if (!t.cache->LoadTemplate(std::string(name), kStrip))
    fail(name, "ctemplate could not parse it (its own log line above says why)");
  t.loaded.emplace(std::string(name), nodes);
  return nodes;
}

void check_nodes(TemplatesImpl& t, std::string_view name, const std::vector<TemplateNode>& nodes,
                 Chain& chain);

// The strict check of one include marker: every include dictionary's template, with only that
// dictionary in scope (ctemplate includes do not inherit their parent's variables).
void check_include(TemplatesImpl& t, const TemplateNode& node, const Chain& chain) {
  const auto* rows = lookup(chain, node.name, &TemplateDict::includes);
  if (rows == nullptr) return;
  for (const auto& row : *rows) {
    auto nodes = load_template(t, row->filename());
    Chain inner{row.get()};
    check_nodes(t, row->filename(), *nodes, inner);
  }
}

void check_nodes(TemplatesImpl& t, std::string_view name, const std::vector<TemplateNode>& nodes,
                 Chain& chain) {
  for (const auto& node : nodes) {
    switch (node.kind) {
    case TemplateNode::Kind::Variable:
      if (!t.options.strict || has_variable(chain, node.name)) break;
      fail(name, "line " + std::to_string(node.line) + ": variable " + node.name + " is not set");
    case TemplateNode::Kind::Include:
      check_include(t, node, chain);
      break;
    case TemplateNode::Kind::Section:
      if (const auto* rows = lookup(chain, node.name, &TemplateDict::sections)) {
        for (const auto& row : *rows) {
          chain.push_back(row.get());
          check_nodes(t, name, node.children, chain);
          chain.pop_back();
        }
      } else if (node.name.ends_with("_separator")) {
        check_nodes(t, name, node.children, chain); // shown between a parent's rows
      }
      break;
    }
  }
}

} // namespace detail

Templates::Templates(std::filesystem::path root, TemplateOptions options)
    : impl_(std::make_unique<detail::TemplatesImpl>()) {
  impl_->root = std::move(root);
  impl_->options = options;
  impl_->cache->SetTemplateRootDirectory(impl_->root.string());
}

Templates::~Templates() = default;

const std::filesystem::path& Templates::root() const noexcept {
  return impl_->root;
}

void Templates::load(std::string_view name) const {
  detail::load_template(*impl_, name);
}

std::size_t Templates::load_all() const {
  std::size_t n = 0;
  std::error_code ec;
  for (std::filesystem::recursive_directory_iterator it(impl_->root, ec), end; !ec && it != end;
       it.increment(ec)) {
    if (!it->is_regular_file() || it->path().extension() != ".tpl") continue;
    load(std::filesystem::relative(it->path(), impl_->root).generic_string());
    ++n;
  }
  if (ec) fail(impl_->root.string(), "cannot list the templates directory: " + ec.message());
  return n;
}

void Templates::freeze() const {
  std::lock_guard lock(impl_->mu);
  impl_->cache->Freeze();
  impl_->frozen = true;
}

std::string Templates::expand(std::string_view name, const TemplateDict& dict) const {
  auto nodes = detail::load_template(*impl_, name);
  Chain chain{&dict};
  detail::check_nodes(*impl_, name, *nodes, chain);
  ctemplate::TemplateDictionary ct("fh");
  fill(ct, dict);
  std::string out;
  if (!impl_->cache->ExpandWithData(std::string(name), kStrip, &ct, nullptr, &out))
    fail(name, "ctemplate could not expand it (an include failed to load?)");
  return out;
}

Response Templates::render(std::string_view name, const TemplateDict& dict, int status) const {
  std::string body;
  try {
    body = expand(name, dict);
  } catch (const TemplateError& e) {
    // The detail is for the log only; the client gets the app's generic 500 page.
    fh::log(LogLevel::Error, std::string("template error: ") + e.what());
    throw HttpError(500, "Internal Server Error");
  }
  return Response::html(std::move(body), status);
}

Response Templates::render(std::string_view name, const nlohmann::json& data, int status) const {
  return render(name, TemplateDict(data), status);
}

} // namespace fh
