#pragma once
// Command-line flags in the style Prometheus users know (kingpin):
// `--name=value` or `--name value`; booleans as `--name`, `--no-name` or
// `--name=false`; `-h`/`--help`. Errors read like kingpin's:
// "unknown long flag '--foo'", "expected argument for flag '--config.file'".
//
// Thread-safety: none; parse once at start-up.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace kubescrape::util {

class FlagSet {
 public:
  explicit FlagSet(std::string program) : program_(std::move(program)) {}

  // Registers a flag; its current value is the default shown in Usage().
  // REQUIRES: `target` outlives Parse().
  void String(std::string name, std::string* target, std::string help);
  void Bool(std::string name, bool* target, std::string help);
  // A flag parsed by `set` (e.g. a duration); `default_text` is shown in Usage().
  void Custom(std::string name, std::string default_text, std::function<Status(std::string_view)> set,
              std::string help);

  // Parses `args` (without the program name). Positional arguments are
  // errors. Sets help_requested() on -h/--help instead of failing.
  Status Parse(const std::vector<std::string>& args);
  bool help_requested() const { return help_requested_; }

  // "usage: PROGRAM [<flags>]" and one line per flag with its default.
  std::string Usage() const;

 private:
  struct Flag {
    std::string name;
    std::string help;
    std::string default_text;
    bool is_bool = false;
    std::function<Status(std::string_view)> set;
  };
  const Flag* Find(std::string_view name) const;

  std::string program_;
  std::vector<Flag> flags_;
  bool help_requested_ = false;
};

}  // namespace kubescrape::util
