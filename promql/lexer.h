#pragma once
// The PromQL lexer: turns a query into items (tokens) with Prometheus 3.x's
// rules (promql/parser/lex.go), including its error messages, which the
// parser reports verbatim ("unclosed left parenthesis", "bad number or
// duration syntax: \"2.5.\"", ...).
//
// The lexer is a state machine like Prometheus's, because the meaning of a
// character depends on context: inside braces keywords are plain
// identifiers, inside brackets a duration (or a number) is expected.
//
// Lifetime: items view `input`, which must outlive the lexer and its items.
// Thread-safety: none; one owner.

#include <cstdint>
#include <string>
#include <string_view>

namespace kubescrape::promql {

enum class ItemType : uint8_t {
  kEOF,
  kError,
  kComment,
  kIdentifier,
  kMetricIdentifier,
  kNumber,
  kDuration,
  kString,
  kLeftParen,
  kRightParen,
  kLeftBrace,
  kRightBrace,
  kLeftBracket,
  kRightBracket,
  kComma,
  kAssign,  // `=` in matchers and label sets
  kColon,
  kDoubleColon,
  // Operators.
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMod,
  kPow,
  kEqlc,
  kNeq,
  kLte,
  kLss,
  kGte,
  kGtr,
  kEqlRegex,
  kNeqRegex,
  kLand,
  kLor,
  kLunless,
  kAt,
  kAtan2,
  // Aggregators.
  kSum,
  kAvg,
  kCount,
  kMin,
  kMax,
  kGroup,
  kStddev,
  kStdvar,
  kTopk,
  kBottomk,
  kCountValues,
  kQuantile,
  kLimitk,
  kLimitRatio,
  // Keywords.
  kOffset,
  kBy,
  kWithout,
  kOn,
  kIgnoring,
  kGroupLeft,
  kGroupRight,
  kBool,
};

bool IsOperatorItem(ItemType t);
bool IsAggregatorItem(ItemType t);
bool IsKeywordItem(ItemType t);

struct Item {
  ItemType type = ItemType::kEOF;
  int pos = 0;           // byte offset of the first character
  std::string_view val;  // the text; for kError, the message
  int end() const { return pos + static_cast<int>(val.size()); }
};

// How Prometheus names an item in "unexpected X" errors: `<op:*>`, `<by>`,
// `<aggr:sum>`, `"("`, `identifier "foo"`, `number "1"`, `end of input`.
std::string ItemDesc(const Item& item);

class Lexer {
 public:
  explicit Lexer(std::string_view input) : input_(input) {}
  Lexer(const Lexer&) = delete;
  Lexer& operator=(const Lexer&) = delete;

  // The next item. After kEOF or kError, returns the same item again.
  // A kError item's val is the message (valid while the lexer lives); its pos
  // is where the offending item started.
  Item Next();

 private:
  enum class State : uint8_t {
    kStatements, kInsideBraces, kString, kRawString, kNumberOrDuration, kKeywordOrIdentifier,
    kIdentifier, kLineComment, kDurationExpr, kDone,
  };

  static constexpr int32_t kEof = -1;
  int32_t NextRune();
  int32_t Peek();
  void Backup() { pos_ -= width_; }
  bool Accept(std::string_view valid);
  bool Is(std::string_view valid);
  void AcceptRun(std::string_view valid);
  void Emit(ItemType t);
  void Ignore() { start_ = pos_; }
  State Errorf(std::string message);
  void SkipSpaces();

  State LexStatements();
  State LexInsideBraces();
  State LexString();
  State LexRawString();
  State LexEscape();
  State LexNumberOrDuration();
  State LexKeywordOrIdentifier();
  State LexIdentifier();
  State LexLineComment();
  State LexDurationExpr();
  bool ScanNumber();
  bool AcceptRemainingDuration();
  bool ScanDurationKeyword();

  std::string_view input_;
  State state_ = State::kStatements;
  int pos_ = 0;
  int start_ = 0;
  int width_ = 0;
  Item item_;
  bool scanned_ = false;
  bool done_ = false;  // kEOF or kError emitted
  std::string error_;

  int paren_depth_ = 0;
  bool brace_open_ = false;
  bool bracket_open_ = false;
  bool got_colon_ = false;
  bool got_duration_ = false;
  int32_t string_open_ = 0;
};

// Go's %q for a rune: 'a', '\n', '\x00', '\u00e9' ... (strconv.QuoteRune).
std::string GoQuoteRune(int32_t r);

}  // namespace kubescrape::promql
