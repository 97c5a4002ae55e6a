// Matching with the backtracking program (backtrack.h).
#include <algorithm>
#include <bit>
#include <cstring>

#include "model/backtrack.h"
#include "util/utf8.h"

namespace kubescrape::model {

using backtrack_internal::ByteSet;
using backtrack_internal::Has;
using backtrack_internal::Inst;
using backtrack_internal::Op;
using backtrack_internal::RuneClass;

namespace {

constexpr size_t kMaxText = 4096;        // bytes of text Match accepts
constexpr size_t kMaxBits = 256 * 1024;  // program size × (text length + 1)

// Go's utf8.ValidString, with a word-at-a-time ASCII fast path.
bool IsValidUtf8Fast(std::string_view s) {
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    if (w & 0x8080808080808080u) return util::IsValidUtf8(s);
  }
  for (; i < s.size(); ++i) {
    if (static_cast<unsigned char>(s[i]) >= 0x80) return util::IsValidUtf8(s);
  }
  return true;
}

// Whether the non-ASCII rune at t[pos] is in `c`; its width in *w.
// REQUIRES: t[pos] >= 0x80 and the text is valid UTF-8 whenever `c` has
// non-ASCII runes.
bool InClassHigh(const RuneClass& c, const unsigned char* t, int32_t pos, int* w) {
  if (c.high.empty()) return false;
  const unsigned b = t[pos];
  char32_t r;
  if (b < 0xE0) {
    r = ((b & 0x1Fu) << 6) | (t[pos + 1] & 0x3Fu);
    *w = 2;
  } else if (b < 0xF0) {
    r = ((b & 0x0Fu) << 12) | ((t[pos + 1] & 0x3Fu) << 6) | (t[pos + 2] & 0x3Fu);
    *w = 3;
  } else {
    r = ((b & 0x07u) << 18) | ((t[pos + 1] & 0x3Fu) << 12) | ((t[pos + 2] & 0x3Fu) << 6) |
        (t[pos + 3] & 0x3Fu);
    *w = 4;
  }
  for (auto [lo, hi] : c.high) {
    if (r < lo) return false;
    if (r <= hi) return true;
  }
  return false;
}

// Whether the rune at t[pos] (pos < text size) is in `c`; its width in *w.
inline bool InClass(const RuneClass& c, const unsigned char* t, int32_t pos, int* w) {
  const unsigned b = t[pos];
  if (b < 0x80) {
    *w = 1;
    return (c.ascii[b >> 6] >> (b & 63)) & 1;
  }
  return InClassHigh(c, t, pos, w);
}

// The end of the longest run of runes of `c` from t[pos].
inline int32_t ScanRun(const RuneClass& c, const unsigned char* t, int32_t pos, int32_t end) {
  const uint64_t lo = c.ascii[0], hi = c.ascii[1];
  while (pos < end) {
    const unsigned b = t[pos];
    if (b < 0x80) {
      if ((((b < 64 ? lo : hi) >> (b & 63)) & 1) == 0) break;
      ++pos;
    } else {
      int w;
      if (!InClassHigh(c, t, pos, &w)) break;
      pos += w;
    }
  }
  return pos;
}

// The byte offset where the rune that ends just before `q` starts (q > 0 at a
// rune boundary, or inside an ASCII run).
inline int32_t RuneStartBefore(const unsigned char* t, int32_t q) {
  int32_t i = q - 1;
  while ((t[i] & 0xC0) == 0x80) --i;
  return i;
}

// The first set bit of `w` in [from, to), or `to`.
size_t FindSetBit(const uint64_t* w, size_t from, size_t to) {
  while (from < to) {
    const uint64_t bits = w[from >> 6] >> (from & 63);
    if (bits != 0) return std::min(to, from + std::countr_zero(bits));
    from = (from | 63) + 1;
  }
  return to;
}

// Sets the bits of `w` in [from, to).
void SetBits(uint64_t* w, size_t from, size_t to) {
  while (from < to) {
    const size_t stop = std::min(to, (from | 63) + 1);
    const size_t n = stop - from;
    w[from >> 6] |= (n == 64 ? ~uint64_t{0} : (uint64_t{1} << n) - 1) << (from & 63);
    from = stop;
  }
}

// Work for later, newest on top of the stack:
//  - lo == kPlain, pc >= 0: the alternative (pc, pos) of a split;
//  - lo == kPlain, pc < 0: restore capture register ~pc to pos on the way back;
//  - lo == kLazy: kLazyStar pc takes one more rune at pos, then goes on;
//  - lo >= 0: the pending alternatives of the run of kClassStar pc: its
//    continuation at the rune boundaries from pos down to lo, highest first.
constexpr int32_t kPlain = -1;
constexpr int32_t kLazy = -2;
struct Job {
  int32_t pc;
  int32_t pos;
  int32_t lo;
};

struct Scratch {
  std::vector<uint64_t> visited;
  std::vector<Job> jobs;
  std::vector<int32_t> caps;
};

Scratch& LocalScratch() {
  thread_local Scratch scratch;
  return scratch;
}

// Out of line: the stack grows only until the largest need has been seen.
[[gnu::noinline]] Job* GrowJobs(std::vector<Job>* jobs) {
  jobs->resize(std::max<size_t>(64, 2 * jobs->size()));
  return jobs->data();
}


}  // namespace

std::optional<bool> BacktrackProgram::Match(std::string_view text,
                                            std::span<std::string_view> groups) const {
  const size_t n = text.size();
  if (n > kMaxText || insts_.size() * (n + 1) > kMaxBits) return std::nullopt;
  // RE2 lets `.` and negated classes match some invalid sequences, Go
  // matches each bad byte as U+FFFD: leave such text to the fallback.
  if (needs_utf8_ && !IsValidUtf8Fast(text)) return std::nullopt;
  if (text.data() == nullptr) text = std::string_view("", 0);  // keep empty groups non-null

  Scratch& s = LocalScratch();
  const size_t stride = n + 1;
  const size_t words = (static_cast<size_t>(num_rows_) * stride + 63) / 64;
  if (s.visited.size() < words) s.visited.resize(words);
  uint64_t* const visited = s.visited.data();
  std::fill_n(visited, words, 0);
  const size_t ncap = 2 * (static_cast<size_t>(num_groups_) + 1);
  if (s.caps.size() < ncap) s.caps.resize(ncap);
  int32_t* const cap = s.caps.data();
  std::fill_n(cap, ncap, -1);
  Job* stack = s.jobs.empty() ? GrowJobs(&s.jobs) : s.jobs.data();
  size_t limit = s.jobs.size();
  size_t top = 0;
  auto push = [&](int32_t pc, int32_t pos, int32_t lo) {
    if (top == limit) [[unlikely]] {
      stack = GrowJobs(&s.jobs);
      limit = s.jobs.size();
    }
    stack[top++] = Job{pc, pos, lo};
  };
  push(0, 0, kPlain);

  const Inst* const prog = insts_.data();
  const auto* const t = reinterpret_cast<const unsigned char*>(text.data());
  const int32_t end = static_cast<int32_t>(n);
  while (top > 0) {
    const Job job = stack[--top];
    if (job.pc < 0) {
      cap[~job.pc] = job.pos;
      continue;
    }
    int32_t pc = job.pc;
    int32_t pos = job.pos;
    if (job.lo == kLazy) {
      int w;
      if (pos >= end || !InClass(classes_[prog[pc].arg], t, pos, &w)) continue;
      pos += w;
    } else if (job.lo >= 0) {
      // Pending positions of the run of kClassStar `pc`: resume at the
      // highest one whose next byte the continuation can start with.
      const Inst& star = prog[pc];
      if (star.follow >= 0) {
        const ByteSet& f = follows_[star.follow];
        while (pos > job.lo && !Has(f, t[pos])) pos = RuneStartBefore(t, pos);
        if (!Has(f, t[pos])) continue;
      }
      if (pos > job.lo) push(pc, RuneStartBefore(t, pos), job.lo);
      pc = star.out;
    }
    for (;;) {
      const Inst& in = prog[pc];
      if (in.row >= 0) {
        const size_t bit = static_cast<size_t>(in.row) * stride + pos;
        const uint64_t mask = uint64_t{1} << (bit & 63);
        if (visited[bit >> 6] & mask) break;
        visited[bit >> 6] |= mask;
      }
      switch (in.op) {
        case Op::kByte:
          if (pos < end && t[pos] == in.byte) {
            ++pos;
            pc = in.out;
            continue;
          }
          break;
        case Op::kClass: {
          int w;
          if (pos < end && InClass(classes_[in.arg], t, pos, &w)) {
            pos += w;
            pc = in.out;
            continue;
          }
          break;
        }
        case Op::kClassStar: {
          // The loop L: Split(C -> L, out), run in place (after one C for
          // C+). The loop would take the longest run, marking (L, p) at each
          // p, stop early before a p already marked (explored from an earlier
          // entry), and leave the alternative (out, p) at each p before the
          // run's end: one Job holds them all.
          const RuneClass& c = classes_[in.arg];
          if (in.byte != 0) {
            int w;
            if (pos >= end || !InClass(c, t, pos, &w)) break;
            pos += w;
          }
          const size_t base = static_cast<size_t>(in.loop_row) * stride;
          if (visited[(base + pos) >> 6] & (uint64_t{1} << ((base + pos) & 63))) break;
          int32_t p = ScanRun(c, t, pos, end);
          const size_t q = FindSetBit(visited, base + pos + 1, base + p + 1) - base;
          if (q <= static_cast<size_t>(p)) p = RuneStartBefore(t, static_cast<int32_t>(q));
          SetBits(visited, base + pos, base + p + 1);
          if (p > pos) push(pc, RuneStartBefore(t, p), pos);
          if (in.follow >= 0 && (p == end || !Has(follows_[in.follow], t[p]))) break;
          pos = p;
          pc = in.out;
          continue;
        }
        case Op::kLazyStar: {
          // The loop L: Split(out, C -> L) at (L, pos): try the continuation
          // first, leaving "one more C" for later. Where the continuation
          // cannot start, take the next rune at once instead.
          const size_t base = static_cast<size_t>(in.loop_row) * stride;
          const ByteSet* f = in.follow >= 0 ? &follows_[in.follow] : nullptr;
          bool go_on = false;
          for (;;) {
            const size_t bit = base + pos;
            const uint64_t mask = uint64_t{1} << (bit & 63);
            if (visited[bit >> 6] & mask) break;
            visited[bit >> 6] |= mask;
            if (f == nullptr || (pos < end && Has(*f, t[pos]))) {
              go_on = true;
              break;
            }
            int w;
            if (pos >= end || !InClass(classes_[in.arg], t, pos, &w)) break;
            pos += w;
          }
          if (!go_on) break;
          push(pc, pos, kLazy);
          pc = in.out;
          continue;
        }
        case Op::kSplit:
          push(in.arg, pos, kPlain);
          pc = in.out;
          continue;
        case Op::kJmp:
          pc = in.out;
          continue;
        case Op::kSave:
          push(~in.arg, cap[in.arg], kPlain);
          cap[in.arg] = pos;
          pc = in.out;
          continue;
        case Op::kBeginText:
          if (pos == 0) {
            pc = in.out;
            continue;
          }
          break;
        case Op::kEndText:
          if (pos == end) {
            pc = in.out;
            continue;
          }
          break;
        case Op::kMatch:
          if (pos == end) {
            groups[0] = text;
            for (int g = 1; g <= num_groups_; ++g) {
              const int32_t b = cap[2 * g], e = cap[2 * g + 1];
              groups[g] =
                  b >= 0 && e >= 0 ? std::string_view(text.data() + b, e - b) : std::string_view();
            }
            return true;
          }
          break;
      }
      break;  // this thread failed: backtrack
    }
  }
  return false;
}


}  // namespace kubescrape::model
