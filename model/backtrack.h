#pragma once
// BacktrackProgram: a compiled program for a subset of Go regexp syntax,
// matched by backtracking with a visited bitmap (the algorithm of RE2's
// BitState and Go's backtracker): leftmost-first (Perl) semantics, anchored
// at both ends, `.` matching any rune including newline -- the relabel regex
// is `^(?s:P)$`. It gives exactly RE2's (= Go's) match and submatches, without
// RE2's per-call set-up, for the small patterns and short texts of relabeling.
// RE2 remains the reference and the fallback: Compile refuses what it does not
// support, Match refuses what exceeds its budget.
//
// Supported: literals (UTF-8 included), `\` + ASCII punctuation, `\a \f \n \r
// \t \v`, `.`, `\d \D \s \S \w \W` (ASCII), bracket classes with ranges and
// negation, capturing `(...)` `(?P<n>...)` `(?<n>...)` and `(?:...)` groups,
// `|`, `* + ? {n} {n,} {n,m}` and their lazy forms (max 1000), `^` and `$`
// (start and end of text). Everything else is refused, and so is `*`, `+` or
// `{n,}` over an operand that can match the empty string (RE2 treats
// empty-width loops specially).
//
// Thread-safety: immutable after Compile(). Match() is const and may run
// concurrently on one program; its scratch (visited bitmap, job stack,
// capture registers) lives in thread_local buffers that grow to the largest
// need seen and then no longer allocate.

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

namespace kubescrape::model {

// The compiled form; an implementation detail, defined here only so that
// BacktrackProgram can hold it by value.
namespace backtrack_internal {

enum class Op : uint8_t {
  kByte,       // text[pos] == byte
  kClass,      // one rune of classes[arg]
  kClassStar,  // greedy C* (or C+) of C = classes[arg], fused (see backtrack.cc)
  kLazyStar,   // lazy C*? of C = classes[arg], fused (see backtrack.cc)
  kSplit,      // try out, then arg
  kJmp,        // go to out (removed by Compile)
  kSave,       // capture register arg = pos
  kBeginText,  // pos == 0
  kEndText,    // pos == text.size()
  kMatch,      // pos == text.size(): success
};

struct Inst {
  Op op = Op::kMatch;
  uint8_t byte = 0;  // kByte: the byte; kClassStar: 1 for C+, 0 for C*
  int32_t out = -1;
  int32_t arg = -1;
  int32_t row = -1;       // row of the visited bitmap; -1 when not memoized
  int32_t loop_row = -1;  // kClassStar, kLazyStar: the row of its loop's states
  int32_t follow = -1;    // kClassStar, kLazyStar: the bytes `out` can start with, or -1
};

struct ByteSet {
  uint64_t bits[4] = {0, 0, 0, 0};
};

inline bool Has(const ByteSet& s, unsigned b) { return (s.bits[b >> 6] >> (b & 63)) & 1; }

struct RuneClass {
  uint64_t ascii[2] = {0, 0};                       // bit c: rune c < 0x80
  std::vector<std::pair<char32_t, char32_t>> high;  // sorted ranges >= 0x80
};

}  // namespace backtrack_internal

class BacktrackProgram {
 public:
  // Compiles `pattern` (the user's relabel regex, without the anchoring).
  // nullopt when it uses syntax outside the supported subset or is too large
  // (the caller then uses RE2). REQUIRES: RE2 accepted the same pattern
  // (Compile is strict but does not promise to report every syntax error).
  static std::optional<BacktrackProgram> Compile(std::string_view pattern);  // backtrack_compile.cc

  // Capturing groups, numbered by '(' order as RE2 does (group 0 not counted).
  int num_groups() const { return num_groups_; }

  // Full match of `text`. On a match fills groups[0] = text and groups[i] for
  // each group: a group that did not participate gets a default (null data)
  // string_view; a participating empty match has non-null data, pointing into
  // `text` (or at a static empty string when text.data() is null). The views
  // point into `text`, which must outlive them. On no match `groups` is left
  // unspecified. Returns nullopt, without matching, when
  // `text` is longer than the engine's budget (4 KiB, and program size ×
  // (length + 1) ≤ 256 Ki) or, when the program has `.` or a class that
  // matches non-ASCII runes, is not valid UTF-8 (RE2 and Go disagree there);
  // the caller then falls back to RE2.
  // REQUIRES: groups.size() == num_groups() + 1.
  std::optional<bool> Match(std::string_view text, std::span<std::string_view> groups) const;  // backtrack_match.cc

 private:
  BacktrackProgram() = default;

  std::vector<backtrack_internal::Inst> insts_;  // insts_[0] is the start
  std::vector<backtrack_internal::RuneClass> classes_;
  std::vector<backtrack_internal::ByteSet> follows_;
  int num_groups_ = 0;
  int num_rows_ = 0;         // memoized instructions
  bool needs_utf8_ = false;  // some instruction can match a non-ASCII rune
};

}  // namespace kubescrape::model
