// Templates: ctemplate pages with contextual auto-escaping enforced, a per-app template cache, and
// a strict check that every variable a page uses is set. TemplateDict is the data a page sees
// (variables, repeated/nested sections, includes); it can be built from nlohmann::json.
#pragma once

#include "fcgihost/response.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace fh {

// The values one template (or one section repetition, or one include) expands with.
// Variables set here are visible inside nested sections (as in ctemplate); an include sees only
// its own dictionary. Names are ctemplate marker names: [A-Za-z0-9_]+.
class TemplateDict {
public:
  using Children = std::map<std::string, std::vector<std::unique_ptr<TemplateDict>>, std::less<>>;

  TemplateDict() = default;
  // The same as merge(data) on an empty dictionary.
  explicit TemplateDict(const nlohmann::json& data) { merge(data); }
  TemplateDict(TemplateDict&&) noexcept = default;
  TemplateDict& operator=(TemplateDict&&) noexcept = default;
  TemplateDict(const TemplateDict& other);
  TemplateDict& operator=(const TemplateDict& other);
  ~TemplateDict() = default;

  // Sets variable `name` (raw text: escaping happens in the template, by context).
  TemplateDict& set(std::string_view name, std::string_view value);
  TemplateDict& set(std::string_view name, const char* value) {
    return set(name, std::string_view(value));
  }
  TemplateDict& set(std::string_view name, bool value) { return set(name, value ? "1" : "0"); }
  template <class N>
  requires std::is_arithmetic_v<N> TemplateDict& set(std::string_view name, N value) {
    return set(name, std::string_view(std::to_string(value)));
  }
  // Appends one repetition of section {{#name}}...{{/name}} and returns its dictionary.
  TemplateDict& add_section(std::string_view name);
  // Shows section `name` once (with this dictionary's variables), unless it already has rows.
  TemplateDict& show_section(std::string_view name);
  // Fills include marker {{>name}} with template `filename`; returns the include's dictionary.
  TemplateDict& include(std::string_view name, std::string_view filename);
  // The same with a dictionary built beforehand (moved in); returns *this for chaining.
  TemplateDict& include(std::string_view name, std::string_view filename, TemplateDict dict);

  // Maps JSON into this dictionary: an object's string/number members become variables, a bool
  // becomes a variable ("1"/"0") and, when true, a shown section; null becomes an empty variable;
  // a nested object becomes a section shown once; an array becomes a section repeated per
  // element (an object element is that repetition's dictionary, a scalar element is its
  // variable VALUE). Throws std::invalid_argument if `data` is not an object.
  TemplateDict& merge(const nlohmann::json& data);

  const std::map<std::string, std::string, std::less<>>& values() const noexcept { return values_; }
  const Children& sections() const noexcept { return sections_; }
  const Children& includes() const noexcept { return includes_; }
  // The template file of an include dictionary ("" for others).
  const std::string& filename() const noexcept { return filename_; }
  // The value of `name` in this dictionary only, or nullptr.
  const std::string* find(std::string_view name) const;

private:
  std::map<std::string, std::string, std::less<>> values_;
  Children sections_;
  Children includes_;
  std::string filename_;
};

// A template that could not be loaded or expanded (not found, no AUTOESCAPE pragma, syntax
// error, a variable the dictionary does not set). what() names the template and the problem;
// it is for the log, never for the client.
class TemplateError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

struct TemplateOptions {
  // Refuse to expand when a variable the template uses (in a visible section) is not set.
  bool strict = true;
};

class Config;

// Where an app's templates are (App::use_templates). Never a path compiled in: the build puts
// apps/NAME/templates/ beside each binary as NAME.templates/, and an install does the same.
struct TemplateSettings {
  std::filesystem::path root;
  TemplateOptions options;

  // From config: templates.root (default "APP_NAME.templates") and templates.strict (default
  // true). A relative root is relative to the directory of the running binary (/proc/self/exe),
  // not to the working directory: a CGI gateway or a supervisor chooses that.
  static TemplateSettings from_config(const Config& config, std::string_view app_name);
};
// The directory of the running executable (from /proc/self/exe; "." if it cannot be read).
std::filesystem::path executable_dir();

namespace detail {
struct TemplatesImpl;
}

// One templates directory and its own ctemplate cache (never ctemplate's global one). Owned by
// the app (e.g. a shared_ptr captured by the handlers); thread-safe; each template is read and
// checked once per process, then served from the cache. Do not share one across fork().
class Templates {
public:
  // `root`: the templates directory. Nothing is read until the first load or render.
  explicit Templates(std::filesystem::path root, TemplateOptions options = {});
  ~Templates();
  Templates(const Templates&) = delete;
  Templates& operator=(const Templates&) = delete;

  const std::filesystem::path& root() const noexcept;

  // Loads and checks template `name` (a path relative to root, no ".."). Throws TemplateError
  // when it is missing, does not start with {{%AUTOESCAPE context="..."}}, or does not parse.
  void load(std::string_view name) const;
  // Loads every *.tpl under root (a start-up check); returns how many. Throws TemplateError.
  std::size_t load_all() const;
  // Makes the cache read-only: later loads of templates not yet loaded fail (ctemplate Freeze).
  void freeze() const;

  // Expands `name` with `dict` (includes resolved from the dict). Throws TemplateError.
  std::string expand(std::string_view name, const TemplateDict& dict) const;
  // A text/html; charset=utf-8 response. On any TemplateError: logs it (one line naming the
  // template and the problem) and throws HttpError(500) with a generic message.
  Response render(std::string_view name, const TemplateDict& dict, int status = 200) const;
  Response render(std::string_view name, const nlohmann::json& data, int status = 200) const;

private:
  std::unique_ptr<detail::TemplatesImpl> impl_;
};

} // namespace fh
