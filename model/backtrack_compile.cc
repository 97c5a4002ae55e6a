// Compiling the parsed pattern into the backtracking program (backtrack.h).
#include <algorithm>
#include <bit>
#include <cstring>
#include <string>

#include "model/backtrack.h"
#include "model/backtrack_parse.h"
#include "util/utf8.h"

namespace kubescrape::model {

using backtrack_internal::ByteSet;
using backtrack_internal::Has;
using backtrack_internal::Inst;
using backtrack_internal::Node;
using backtrack_internal::Op;
using backtrack_internal::Parser;
using backtrack_internal::Ranges;
using backtrack_internal::RuneClass;

namespace {

constexpr size_t kMaxInsts = 2048;       // larger programs are left to RE2

RuneClass ToRuneClass(const Ranges& r) {
  RuneClass c;
  for (auto [lo, hi] : r) {
    for (char32_t x = lo; x <= std::min<char32_t>(hi, 0x7F); ++x)
      c.ascii[x >> 6] |= uint64_t{1} << (x & 63);
    if (hi >= 0x80) c.high.push_back({std::max<char32_t>(lo, 0x80), hi});
  }
  return c;
}

// Emits the program the way RE2's simplifier and compiler shape it, so that
// the priority of alternatives (hence the submatches) is the same: x{n,m} is
// n copies of x then nested optional copies x(x(x)?)?, x{n,} is n-1 copies
// then x+. A star of one rune class becomes one kClassStar or kLazyStar.
class Emitter {
 public:
  explicit Emitter(const Parser& p) : p_(p), class_ids_(p.classes.size(), -1) {}

  // Appends the code of `node`; false when the program grows too large.
  bool Emit(int node);

  // Appends an instruction that falls through to the next one.
  int Append(Op op, int32_t arg = -1) {
    Inst in;
    in.op = op;
    in.arg = arg;
    in.out = Here() + 1;
    insts.push_back(in);
    return Here() - 1;
  }
  int32_t Here() const { return static_cast<int32_t>(insts.size()); }

  std::vector<Inst> insts;
  std::vector<RuneClass> classes;

 private:
  int ClassId(int parser_class) {
    int& id = class_ids_[parser_class];
    if (id < 0) {
      id = static_cast<int>(classes.size());
      classes.push_back(ToRuneClass(p_.classes[parser_class]));
    }
    return id;
  }
  bool EmitRepeat(const Node& n);

  const Parser& p_;
  std::vector<int> class_ids_;
};

bool Emitter::Emit(int node) {
  if (insts.size() > kMaxInsts) return false;  // checked often enough to stop early
  const Node& n = p_.nodes[node];
  switch (n.kind) {
    case Node::Kind::kEmpty:
      return true;
    case Node::Kind::kLiteral: {
      // The bytes of its UTF-8 encoding: on valid text, equal bytes are equal runes.
      std::string utf8;
      util::AppendRune(&utf8, n.rune);
      for (char c : utf8) insts[Append(Op::kByte)].byte = static_cast<uint8_t>(c);
      return true;
    }
    case Node::Kind::kClass:
      Append(Op::kClass, ClassId(n.index));
      return true;
    case Node::Kind::kBeginText:
      Append(Op::kBeginText);
      return true;
    case Node::Kind::kEndText:
      Append(Op::kEndText);
      return true;
    case Node::Kind::kCapture:
      Append(Op::kSave, 2 * n.index);
      if (!Emit(n.subs[0])) return false;
      Append(Op::kSave, 2 * n.index + 1);
      return true;
    case Node::Kind::kConcat:
      for (int sub : n.subs) {
        if (!Emit(sub)) return false;
      }
      return true;
    case Node::Kind::kAlternate: {
      // Split(a, Split(b, c)): earlier alternatives first.
      std::vector<int> jumps;
      for (size_t i = 0; i < n.subs.size(); ++i) {
        const bool last = i + 1 == n.subs.size();
        const int split = last ? -1 : Append(Op::kSplit);
        if (!Emit(n.subs[i])) return false;
        if (!last) {
          jumps.push_back(Append(Op::kJmp));
          insts[split].arg = Here();
        }
      }
      for (int j : jumps) insts[j].out = Here();
      return true;
    }
    case Node::Kind::kRepeat:
      return EmitRepeat(n);
  }
  return false;
}

bool Emitter::EmitRepeat(const Node& n) {
  const int sub = n.subs[0];
  const Node& s = p_.nodes[sub];
  const int copies = n.max == -1 ? std::max(n.min - 1, 0) : n.min;
  if (n.max == -1 && (s.kind == Node::Kind::kClass || s.kind == Node::Kind::kLiteral)) {
    for (int i = 0; i < n.min; ++i) {
      if (!Emit(sub)) return false;
    }
    int cls;
    if (s.kind == Node::Kind::kClass) {
      cls = ClassId(s.index);
    } else {
      cls = static_cast<int>(classes.size());
      classes.push_back(ToRuneClass({{s.rune, s.rune}}));
    }
    Append(n.greedy ? Op::kClassStar : Op::kLazyStar, cls);
    return true;
  }
  for (int i = 0; i < copies; ++i) {
    if (!Emit(sub)) return false;
  }
  if (n.max == -1 && n.min == 0) {  // L: Split(body, out); body; Jmp L
    const int split = Append(Op::kSplit);
    if (!Emit(sub)) return false;
    insts[Append(Op::kJmp)].out = split;
    insts[split].arg = Here();
    if (!n.greedy) std::swap(insts[split].out, insts[split].arg);
    return true;
  }
  if (n.max == -1) {  // L: body; Split(L, out)
    const int body = Here();
    if (!Emit(sub)) return false;
    const int split = Append(Op::kSplit, body);
    if (n.greedy) std::swap(insts[split].out, insts[split].arg);
    return true;
  }
  std::vector<int> splits;
  for (int i = n.min; i < n.max; ++i) {
    splits.push_back(Append(Op::kSplit));
    if (!Emit(sub)) return false;
  }
  for (int split : splits) {  // each optional copy skips all the later ones
    insts[split].arg = Here();
    if (!n.greedy) std::swap(insts[split].out, insts[split].arg);
  }
  return true;
}

// Whether `c` is exactly the one ASCII rune `b`.
bool IsSingleByte(const RuneClass& c, uint8_t b) {
  return b < 0x80 && c.high.empty() && c.ascii[b >> 6] == uint64_t{1} << (b & 63) &&
         c.ascii[1 - (b >> 6)] == 0;
}

// Threads jumps, fuses `C C*` into `C+`, drops unreachable instructions
// (start first), and gives a visited-bitmap row to the instructions that can
// be reached along more than one edge. Memoizing only those is enough: a
// state with a single incoming edge is entered at most once per entry of its
// predecessor, and every cycle enters through a join (or is the loop of a
// kClassStar or kLazyStar, which memoize it). It also keeps the bitmap small.
void Finish(std::vector<Inst> code, const std::vector<RuneClass>& classes, std::vector<Inst>* out,
            int* rows) {
  auto resolve = [&](int32_t pc) {
    while (code[pc].op == Op::kJmp) pc = code[pc].out;
    return pc;
  };
  for (Inst& in : code) {
    if (in.op != Op::kMatch && in.op != Op::kJmp) in.out = resolve(in.out);
    if (in.op == Op::kSplit) in.arg = resolve(in.arg);
  }
  const int32_t start = resolve(0);
  std::vector<int32_t> id, order;
  std::vector<int> indegree;
  auto analyze = [&] {  // reachable instructions, in-degrees, new numbering
    id.assign(code.size(), -1);
    indegree.assign(code.size(), 0);
    order = {start};
    indegree[start] = 1;
    id[start] = 0;
    for (size_t i = 0; i < order.size(); ++i) {
      const Inst& in = code[order[i]];
      for (int32_t next : {in.out, in.op == Op::kSplit ? in.arg : -1}) {
        if (in.op == Op::kMatch || next < 0) continue;
        ++indegree[next];
        if (id[next] < 0) {
          id[next] = static_cast<int32_t>(order.size());
          order.push_back(next);
        }
      }
    }
  };
  analyze();
  // One rune then a star of the same class, the star entered only from it:
  // one instruction instead of two. The first rune needs no memo of its own
  // (a repeated entry fails at the loop's memo just as fast).
  for (int32_t pc : order) {
    Inst& x = code[pc];
    if (x.op != Op::kClass && x.op != Op::kByte) continue;
    const Inst& y = code[x.out];
    if (y.op != Op::kClassStar || y.byte != 0 || indegree[x.out] != 1) continue;
    if (x.op == Op::kClass ? x.arg != y.arg : !IsSingleByte(classes[y.arg], x.byte)) continue;
    Inst plus;
    plus.op = Op::kClassStar;
    plus.byte = 1;
    plus.out = y.out;
    plus.arg = y.arg;
    x = plus;
  }
  analyze();
  out->clear();
  *rows = 0;
  for (int32_t pc : order) {
    Inst in = code[pc];
    if (in.op != Op::kMatch) in.out = id[in.out];
    if (in.op == Op::kSplit) in.arg = id[in.arg];
    if (in.op == Op::kClassStar || in.op == Op::kLazyStar) {
      in.loop_row = (*rows)++;
    } else if (indegree[pc] >= 2) {
      in.row = (*rows)++;
    }
    out->push_back(in);
  }
}

void Add(ByteSet* s, unsigned b) { s->bits[b >> 6] |= uint64_t{1} << (b & 63); }
bool Merge(ByteSet* into, const ByteSet& from) {  // true when `into` grew
  bool grew = false;
  for (int i = 0; i < 4; ++i) {
    grew |= (into->bits[i] | from.bits[i]) != into->bits[i];
    into->bits[i] |= from.bits[i];
  }
  return grew;
}

// The first bytes of the runes of `c` (every lead byte for non-ASCII ones).
ByteSet FirstBytes(const RuneClass& c) {
  ByteSet s;
  s.bits[0] = c.ascii[0];
  s.bits[1] = c.ascii[1];
  if (!c.high.empty()) {
    for (unsigned b = 0xC2; b <= 0xF4; ++b) Add(&s, b);
  }
  return s;
}

// For each kClassStar and kLazyStar whose continuation must consume a byte,
// the set of bytes it can start with: a position where the next byte is not
// in it cannot succeed there, and the loop does not try it. Computed as a
// fixed point of (first bytes, can succeed without consuming) per
// instruction; both over-approximate, which only weakens the filter.
void ComputeFollows(const std::vector<RuneClass>& classes, std::vector<Inst>* insts,
                    std::vector<ByteSet>* follows) {
  const size_t n = insts->size();
  std::vector<ByteSet> first(n);
  std::vector<char> nullable(n, 0);
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t pc = n; pc-- > 0;) {
      const Inst& in = (*insts)[pc];
      ByteSet f;
      bool e = false;
      switch (in.op) {
        case Op::kByte:
          Add(&f, in.byte);
          break;
        case Op::kClass:
          f = FirstBytes(classes[in.arg]);
          break;
        case Op::kClassStar:
        case Op::kLazyStar:
          f = FirstBytes(classes[in.arg]);
          if (in.byte == 0) {
            Merge(&f, first[in.out]);
            e = nullable[in.out];
          }
          break;
        case Op::kSplit:
          f = first[in.out];
          Merge(&f, first[in.arg]);
          e = nullable[in.out] || nullable[in.arg];
          break;
        case Op::kJmp:
        case Op::kSave:
        case Op::kBeginText:
          f = first[in.out];
          e = nullable[in.out];
          break;
        case Op::kEndText:
        case Op::kMatch:
          e = true;
          break;
      }
      changed |= Merge(&first[pc], f);
      if (e && !nullable[pc]) {
        nullable[pc] = 1;
        changed = true;
      }
    }
  }
  for (Inst& in : *insts) {
    if ((in.op == Op::kClassStar || in.op == Op::kLazyStar) && !nullable[in.out]) {
      in.follow = static_cast<int32_t>(follows->size());
      follows->push_back(first[in.out]);
    }
  }
}

}  // namespace

std::optional<BacktrackProgram> BacktrackProgram::Compile(std::string_view pattern) {
  Parser parser(pattern);
  int root;
  if (!parser.Parse(&root)) return std::nullopt;
  Emitter emitter(parser);
  if (!emitter.Emit(root)) return std::nullopt;
  emitter.Append(Op::kMatch);
  if (emitter.insts.size() > kMaxInsts) return std::nullopt;  // left to RE2
  BacktrackProgram prog;
  Finish(std::move(emitter.insts), emitter.classes, &prog.insts_, &prog.num_rows_);
  prog.classes_ = std::move(emitter.classes);
  ComputeFollows(prog.classes_, &prog.insts_, &prog.follows_);
  prog.num_groups_ = parser.groups;
  for (const Inst& in : prog.insts_) {
    const bool has_class = in.op == Op::kClass || in.op == Op::kClassStar || in.op == Op::kLazyStar;
    if (has_class && !prog.classes_[in.arg].high.empty()) {
      prog.needs_utf8_ = true;
    }
  }
  return prog;
}


}  // namespace kubescrape::model
