#pragma once
// Fuzz builds only. clang 14 cannot use libstdc++ 12's std::source_location
// (it lacks __builtin_source_location), which util/logging.h needs. The fuzz
// target force-includes this stand-in, which reports no location; logging
// is not what the fuzzer exercises.

#include <cstdint>
#include <source_location>

#if !defined(__cpp_lib_source_location)
namespace std {  // NOLINT: a stand-in for the missing standard type
struct source_location {
  static constexpr source_location current() noexcept { return {}; }
  constexpr uint_least32_t line() const noexcept { return 0; }
  constexpr uint_least32_t column() const noexcept { return 0; }
  constexpr const char* file_name() const noexcept { return "?"; }
  constexpr const char* function_name() const noexcept { return "?"; }
};
}  // namespace std
#endif
