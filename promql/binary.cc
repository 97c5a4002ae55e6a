// Binary operators: arithmetic, comparisons and set operators between
// scalars and instant vectors, with vector matching (on/ignoring,
// group_left/group_right).
#include <fmt/format.h>

#include <cmath>
#include <unordered_map>
#include <unordered_set>

#include "model/label_names.h"
#include "promql/evaluator.h"

namespace kubescrape::promql::internal {
namespace {

struct ElemResult {
  double value;
  bool keep;
};

ElemResult ElemBinop(BinOp op, double l, double r) {
  switch (op) {
    case BinOp::kAdd: return {l + r, true};
    case BinOp::kSub: return {l - r, true};
    case BinOp::kMul: return {l * r, true};
    case BinOp::kDiv: return {l / r, true};
    case BinOp::kPow: return {std::pow(l, r), true};
    case BinOp::kMod: return {std::fmod(l, r), true};
    case BinOp::kAtan2: return {std::atan2(l, r), true};
    case BinOp::kEqlc: return {l, l == r};
    case BinOp::kNeq: return {l, l != r};
    case BinOp::kGtr: return {l, l > r};
    case BinOp::kLss: return {l, l < r};
    case BinOp::kGte: return {l, l >= r};
    case BinOp::kLte: return {l, l <= r};
    default: return {0, false};
  }
}

double ScalarBinop(BinOp op, double l, double r) {
  ElemResult e = ElemBinop(op, l, r);
  if (IsComparison(op)) return e.keep ? 1 : 0;
  return e.value;
}

struct PairHash {
  size_t operator()(const std::pair<const void*, const void*>& p) const {
    return std::hash<const void*>()(p.first) * 31 + std::hash<const void*>()(p.second);
  }
};

// The result labels of a vector-vector operation (Prometheus's resultMetric).
model::Labels ResultMetric(const model::Labels& lhs, const model::Labels& rhs, BinOp op, const VectorMatching& m) {
  model::Labels out = ChangesMetricSchema(op) ? DropMetricName(lhs) : lhs;
  if (m.card == Cardinality::kOneToOne) {
    out = m.on ? KeepLabels(out, m.matching_labels) : DropLabels(out, m.matching_labels, false);
  }
  for (const std::string& ln : m.include) out = SetLabel(out, ln, rhs.Get(ln));
  return out;
}

class VectorBinop {
 public:
  VectorBinop(const BinaryExpr& e, bool delayed) : e_(e), m_(*e.matching), delayed_(delayed) {}

  util::Status Step(StepVector& lhs_in, StepVector& rhs_in, EvalNodeHelper& enh) {
    if (lhs_in.empty() || rhs_in.empty()) return util::Status::Ok();
    StepVector* lhs = &lhs_in;
    StepVector* rhs = &rhs_in;
    const bool swapped = m_.card == Cardinality::kOneToMany;
    if (swapped) std::swap(lhs, rhs);
    right_.assign(static_cast<size_t>(enh.num_sigs), nullptr);
    for (const VecElem& rs : *rhs) {
      const VecElem*& slot = right_[static_cast<size_t>(rs.sig)];
      if (slot != nullptr) {
        model::Labels matched = m_.on ? KeepLabels(*rs.metric, m_.matching_labels)
                                      : DropLabels(*rs.metric, m_.matching_labels, true);
        const model::Labels* a = rs.metric;
        const model::Labels* b = slot->metric;
        if (*b < *a) std::swap(a, b);
        return util::FailedPreconditionError(fmt::format(
            "found duplicate series for the match group {} on the {} hand-side of the operation: [{}, {}];many-to-many "
            "matching not allowed: matching labels must be unique on one side",
            matched.ToString(), swapped ? "left" : "right", a->ToString(), b->ToString()));
      }
      slot = &rs;
    }
    matched_one_.assign(static_cast<size_t>(enh.num_sigs), false);
    matched_many_.clear();
    for (const VecElem& ls : *lhs) {
      const VecElem* rs = right_[static_cast<size_t>(ls.sig)];
      if (rs == nullptr) continue;
      double fl = ls.f, fr = rs->f;
      if (swapped) std::swap(fl, fr);
      ElemResult r = ElemBinop(e_.op, fl, fr);
      if (e_.return_bool) r.value = r.keep ? 1 : 0;
      const model::Labels* metric = Metric(ls.metric, rs->metric, enh);
      if (m_.card == Cardinality::kOneToOne) {
        if (matched_one_[static_cast<size_t>(ls.sig)]) {
          return util::FailedPreconditionError(
              "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)");
        }
        matched_one_[static_cast<size_t>(ls.sig)] = true;
      } else if (!matched_many_[ls.sig].insert(metric->Hash()).second) {
        return util::FailedPreconditionError("multiple matches for labels: grouping labels must ensure unique matches");
      }
      if (!r.keep && !e_.return_bool) continue;
      enh.out.push_back(VecElem{metric, r.value, enh.ts, e_.return_bool, 0});
    }
    return util::Status::Ok();
  }

 private:
  const model::Labels* Metric(const model::Labels* l, const model::Labels* r, EvalNodeHelper& enh) {
    auto key = std::make_pair(static_cast<const void*>(l), static_cast<const void*>(r));
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
    model::Labels out = ResultMetric(*l, *r, e_.op, m_);
    if (!delayed_ && e_.return_bool) out = DropMetricName(out);
    const model::Labels* p = enh.arena->Add(std::move(out));
    cache_.emplace(key, p);
    return p;
  }

  const BinaryExpr& e_;
  const VectorMatching& m_;
  const bool delayed_;
  std::vector<const VecElem*> right_;
  std::vector<bool> matched_one_;
  std::unordered_map<int32_t, std::unordered_set<uint64_t>> matched_many_;
  std::unordered_map<std::pair<const void*, const void*>, const model::Labels*, PairHash> cache_;
};

}  // namespace

util::StatusOr<Matrix> Evaluator::EvalBinary(BinaryExpr& e) {
  const ValueType lt = e.lhs->Type(), rt = e.rhs->Type();
  Expr* exprs[] = {e.lhs.get(), e.rhs.get()};
  if (lt == ValueType::kScalar && rt == ValueType::kScalar) {
    return RangeEval(
        nullptr,
        [&](std::span<StepVector> in, EvalNodeHelper& enh) {
          enh.out.push_back(VecElem{&EmptyLabels(), ScalarBinop(e.op, in[0][0].f, in[1][0].f), enh.ts, false, 0});
          return util::Status::Ok();
        },
        exprs);
  }
  if (lt == ValueType::kVector && rt == ValueType::kVector) {
    const VectorMatching& m = *e.matching;
    switch (e.op) {
      case BinOp::kLand:
        return RangeEval(
            &m,
            [](std::span<StepVector> in, EvalNodeHelper& enh) {
              if (in[0].empty() || in[1].empty()) return util::Status::Ok();
              std::vector<bool> present(static_cast<size_t>(enh.num_sigs), false);
              for (const VecElem& r : in[1]) present[static_cast<size_t>(r.sig)] = true;
              for (const VecElem& l : in[0]) {
                if (present[static_cast<size_t>(l.sig)]) enh.out.push_back(l);
              }
              return util::Status::Ok();
            },
            exprs);
      case BinOp::kLor:
        return RangeEval(
            &m,
            [](std::span<StepVector> in, EvalNodeHelper& enh) {
              std::vector<bool> present(static_cast<size_t>(enh.num_sigs), false);
              for (const VecElem& l : in[0]) {
                present[static_cast<size_t>(l.sig)] = true;
                enh.out.push_back(l);
              }
              for (const VecElem& r : in[1]) {
                if (!present[static_cast<size_t>(r.sig)]) enh.out.push_back(r);
              }
              return util::Status::Ok();
            },
            exprs);
      case BinOp::kLunless:
        return RangeEval(
            &m,
            [](std::span<StepVector> in, EvalNodeHelper& enh) {
              std::vector<bool> present(static_cast<size_t>(enh.num_sigs), false);
              for (const VecElem& r : in[1]) present[static_cast<size_t>(r.sig)] = true;
              for (const VecElem& l : in[0]) {
                if (!present[static_cast<size_t>(l.sig)]) enh.out.push_back(l);
              }
              return util::Status::Ok();
            },
            exprs);
      default: {
        VectorBinop op(e, delayed());
        return RangeEval(
            &m, [&](std::span<StepVector> in, EvalNodeHelper& enh) { return op.Step(in[0], in[1], enh); }, exprs);
      }
    }
  }
  // Vector and scalar, in either order.
  const bool scalar_left = lt == ValueType::kScalar;
  const bool drop = ChangesMetricSchema(e.op) || e.return_bool;
  return RangeEval(
      nullptr,
      [&](std::span<StepVector> in, EvalNodeHelper& enh) {
        const StepVector& vec = scalar_left ? in[1] : in[0];
        const double scalar = scalar_left ? in[0][0].f : in[1][0].f;
        for (const VecElem& s : vec) {
          double l = s.f, r = scalar;
          if (scalar_left) std::swap(l, r);
          ElemResult res = ElemBinop(e.op, l, r);
          // A comparison keeps the vector's value, whichever side it is on.
          if (IsComparison(e.op) && scalar_left) res.value = r;
          if (e.return_bool) {
            res.value = res.keep ? 1 : 0;
            res.keep = true;
          }
          if (!res.keep) continue;
          VecElem out = s;
          out.f = res.value;
          if (drop) {
            if (!delayed()) out.metric = enh.WithoutName(s.metric);
            out.drop_name = true;
          }
          enh.out.push_back(out);
        }
        return util::Status::Ok();
      },
      exprs);
}

}  // namespace kubescrape::promql::internal
