#include "util/flags.h"

#include <fmt/format.h>

#include <optional>

namespace kubescrape::util {

void FlagSet::String(std::string name, std::string* target, std::string help) {
  flags_.push_back(Flag{std::move(name), std::move(help), *target, false, [target](std::string_view v) {
                          *target = std::string(v);
                          return Status::Ok();
                        }});
}

void FlagSet::Bool(std::string name, bool* target, std::string help) {
  flags_.push_back(Flag{std::move(name), std::move(help), *target ? "true" : "false", true,
                        [target](std::string_view v) {
                          if (v == "true" || v == "1") {
                            *target = true;
                          } else if (v == "false" || v == "0") {
                            *target = false;
                          } else {
                            return InvalidArgumentError(fmt::format("strconv.ParseBool: parsing \"{}\": invalid syntax", v));
                          }
                          return Status::Ok();
                        }});
}

void FlagSet::Custom(std::string name, std::string default_text, std::function<Status(std::string_view)> set,
                     std::string help) {
  flags_.push_back(Flag{std::move(name), std::move(help), std::move(default_text), false, std::move(set)});
}

const FlagSet::Flag* FlagSet::Find(std::string_view name) const {
  for (const Flag& f : flags_) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

Status FlagSet::Parse(const std::vector<std::string>& args) {
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg == "-h" || arg == "--help") {
      help_requested_ = true;
      continue;
    }
    if (!arg.starts_with("--")) {
      return InvalidArgumentError(fmt::format("unexpected {}, try --help", arg));
    }
    std::string_view body = arg.substr(2);
    std::string_view name = body;
    std::optional<std::string_view> value;
    if (size_t eq = body.find('='); eq != std::string_view::npos) {
      name = body.substr(0, eq);
      value = body.substr(eq + 1);
    }
    const Flag* flag = Find(name);
    bool negated = false;
    if (flag == nullptr && name.starts_with("no-")) {
      flag = Find(name.substr(3));
      negated = flag != nullptr && flag->is_bool && !value;
      if (!negated) flag = nullptr;
    }
    if (flag == nullptr) return InvalidArgumentError(fmt::format("unknown long flag '--{}', try --help", name));
    if (flag->is_bool && !value) value = negated ? "false" : "true";
    if (!value) {
      if (i + 1 >= args.size()) {
        return InvalidArgumentError(fmt::format("expected argument for flag '--{}'", name));
      }
      value = args[++i];
    }
    if (Status s = flag->set(*value); !s.ok()) {
      return InvalidArgumentError(fmt::format("invalid value \"{}\" for flag '--{}': {}", *value, flag->name, s.message()));
    }
  }
  return Status::Ok();
}

std::string FlagSet::Usage() const {
  std::string out = fmt::format("usage: {} [<flags>]\n\nFlags:\n  -h, --help  Show help.\n", program_);
  for (const Flag& f : flags_) {
    std::string head = f.is_bool ? fmt::format("--[no-]{}", f.name) : fmt::format("--{}=VALUE", f.name);
    out += fmt::format("  {}\n      {} (default: {})\n", head, f.help, f.default_text.empty() ? "\"\"" : f.default_text);
  }
  return out;
}

}  // namespace kubescrape::util
