#pragma once
// Internal to the backtracking matcher (backtrack.h): the parser of the
// supported Go regexp subset into a small AST, shared by backtrack_parse.cc
// and backtrack_compile.cc. Not for use elsewhere.

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

namespace kubescrape::model::backtrack_internal {

inline constexpr int kMaxRepeat = 1000;         // RE2's and Go's limit
inline constexpr int kMaxDepth = 100;           // group nesting (recursion depth)
inline constexpr char32_t kMaxRune = 0x10FFFF;

using Ranges = std::vector<std::pair<char32_t, char32_t>>;

// Sorts and merges overlapping or adjacent ranges.
void Normalize(Ranges* r);


struct Node {
  enum class Kind : uint8_t {
    kEmpty,
    kLiteral,
    kClass,
    kBeginText,
    kEndText,
    kCapture,
    kConcat,
    kAlternate,
    kRepeat
  };
  Kind kind = Kind::kEmpty;
  char32_t rune = 0;     // kLiteral
  int index = 0;         // kClass: Parser::classes index; kCapture: group
  int min = 0, max = 0;  // kRepeat; max -1 is unbounded
  bool greedy = true;    // kRepeat
  std::vector<int> subs;
};

// A recursive-descent parser for the supported subset, following Go's
// regexp/syntax (and RE2's parse.cc) closely enough to agree on what it
// accepts; anything it is unsure of fails, sending the pattern to RE2.
class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}

  bool Parse(int* root) { return ParseAlternate(0, root) && pos_ == s_.size(); }

  std::vector<Node> nodes;
  std::vector<Ranges> classes;
  int groups = 0;

 private:
  bool More() const { return pos_ < s_.size(); }
  char Peek() const { return s_[pos_]; }
  bool LookingAt(std::string_view p) const { return s_.substr(pos_, p.size()) == p; }

  int Add(Node n) {
    nodes.push_back(std::move(n));
    return static_cast<int>(nodes.size()) - 1;
  }
  int AddClass(Ranges r) {
    Normalize(&r);
    classes.push_back(std::move(r));
    Node n;
    n.kind = Node::Kind::kClass;
    n.index = static_cast<int>(classes.size()) - 1;
    return Add(std::move(n));
  }

  bool ParseAlternate(int depth, int* out);
  bool ParseConcat(int depth, int* out);
  bool ParseAtom(int depth, int* out);
  bool ParseGroup(int depth, int* out);
  bool ParseBracket(int* out);
  bool ParseRepeat(int* node);
  bool ParseInt(int* v);
  bool ParseRune(char32_t* r);
  bool ParseEscapedRune(char32_t* r);
  bool ParseClassChar(char32_t* r);
  bool Nullable(int node) const;

  std::string_view s_;
  size_t pos_ = 0;
};

}  // namespace kubescrape::model::backtrack_internal
