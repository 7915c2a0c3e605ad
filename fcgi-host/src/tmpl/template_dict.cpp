// TemplateDict: the data a template expands with (variables, sections, includes) and the mapping
// from nlohmann::json. Pure data; the conversion to ctemplate's dictionary is in templates.cpp.
#include "fcgihost/template.hpp"

#include <stdexcept>

namespace fh {
namespace {

TemplateDict::Children clone_children(const TemplateDict::Children& from) {
  TemplateDict::Children out;
  for (const auto& [name, dicts] : from) {
    auto& v = out[name];
    for (const auto& d : dicts)
      v.push_back(std::make_unique<TemplateDict>(*d));
  }
  return out;
}

std::string scalar_text(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return {};
  if (v.is_boolean()) return v.get<bool>() ? "1" : "0";
  return v.dump(); // numbers
}

void merge_member(TemplateDict& d, const std::string& key, const nlohmann::json& v);

void merge_element(TemplateDict& row, const nlohmann::json& v) {
  if (v.is_object()) {
    row.merge(v);
  } else if (v.is_array()) {
    merge_member(row, "VALUE", v);
  } else {
    row.set("VALUE", scalar_text(v));
  }
}

void merge_member(TemplateDict& d, const std::string& key, const nlohmann::json& v) {
  if (v.is_object()) {
    d.add_section(key).merge(v);
  } else if (v.is_array()) {
    for (const auto& e : v)
      merge_element(d.add_section(key), e);
  } else {
    d.set(key, scalar_text(v));
    if (v.is_boolean() && v.get<bool>()) d.show_section(key);
  }
}

} // namespace

TemplateDict::TemplateDict(const TemplateDict& other)
    : values_(other.values_), sections_(clone_children(other.sections_)),
      includes_(clone_children(other.includes_)), filename_(other.filename_) {}

TemplateDict& TemplateDict::operator=(const TemplateDict& other) {
  if (this != &other) *this = TemplateDict(other);
  return *this;
}

TemplateDict& TemplateDict::set(std::string_view name, std::string_view value) {
  auto it = values_.find(name);
  if (it == values_.end())
    values_.emplace(std::string(name), std::string(value));
  else
    it->second.assign(value);
  return *this;
}

TemplateDict& TemplateDict::add_section(std::string_view name) {
  auto it = sections_.find(name);
  if (it == sections_.end())
    it = sections_.emplace(std::string(name), Children::mapped_type{}).first;
  it->second.push_back(std::make_unique<TemplateDict>());
  return *it->second.back();
}

TemplateDict& TemplateDict::show_section(std::string_view name) {
  auto it = sections_.find(name);
  if (it == sections_.end() || it->second.empty()) add_section(name);
  return *this;
}

TemplateDict& TemplateDict::include(std::string_view name, std::string_view filename) {
  auto it = includes_.find(name);
  if (it == includes_.end())
    it = includes_.emplace(std::string(name), Children::mapped_type{}).first;
  it->second.push_back(std::make_unique<TemplateDict>());
  it->second.back()->filename_ = std::string(filename);
  return *it->second.back();
}

TemplateDict& TemplateDict::include(std::string_view name, std::string_view filename,
                                    TemplateDict dict) {
  auto& child = include(name, filename);
  child.values_ = std::move(dict.values_);
  child.sections_ = std::move(dict.sections_);
  child.includes_ = std::move(dict.includes_);
  return *this;
}

TemplateDict& TemplateDict::merge(const nlohmann::json& data) {
  if (!data.is_object())
    throw std::invalid_argument("TemplateDict::merge: expected a JSON object, got " +
                                std::string(data.type_name()));
  for (const auto& [key, v] : data.items())
    merge_member(*this, key, v);
  return *this;
}

const std::string* TemplateDict::find(std::string_view name) const {
  auto it = values_.find(name);
  return it == values_.end() ? nullptr : &it->second;
}

} // namespace fh
