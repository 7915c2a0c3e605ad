// Templates as an app service: TemplateSettings from config (a root relative to the binary's
// directory), App::use_templates / templates(), and Request::render. Kept apart from app.cpp and
// request.cpp so that an app that never renders links no ctemplate code.
#include "fcgihost/app.hpp"
#include "fcgihost/config.hpp"
#include "fcgihost/template.hpp"

#include <system_error>

namespace fh {

std::filesystem::path executable_dir() {
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec || !exe.has_parent_path()) return ".";
  return exe.parent_path();
}

TemplateSettings TemplateSettings::from_config(const Config& config, std::string_view app_name) {
  TemplateSettings s;
  std::filesystem::path root =
      config.get<std::string>("templates.root", std::string(app_name) + ".templates");
  if (root.empty()) throw ConfigError("config key 'templates.root' is empty");
  s.root = root.is_absolute() ? root : executable_dir() / root;
  s.options.strict = config.get<bool>("templates.strict", true);
  return s;
}

App& App::use_templates() {
  return use_templates(TemplateSettings::from_config(config(), name()));
}

App& App::use_templates(const TemplateSettings& settings) {
  templates_ = std::unique_ptr<const Templates, detail::TemplatesDeleter>(
      new Templates(settings.root, settings.options),
      detail::TemplatesDeleter{
          [](const Templates* t) { std::default_delete<const Templates>{}(t); }});
  return *this;
}

const Templates& App::templates() const {
  if (!templates_) throw std::logic_error("the app has no templates (call use_templates)");
  return *templates_;
}

Response Request::render(std::string_view name, const TemplateDict& dict, int status) const {
  return app().templates().render(name, dict, status);
}

Response Request::render(std::string_view name, const nlohmann::json& data, int status) const {
  return app().templates().render(name, data, status);
}

} // namespace fh
