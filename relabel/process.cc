#include "relabel/process.h"

#include <openssl/evp.h>

#include <charconv>
#include <memory>
#include <string>
#include <vector>

#include "model/validation.h"
#include "util/utf8.h"

namespace kubescrape::relabel {
namespace {

// Per-thread buffers, so a steady-state Apply() does not allocate.
struct Scratch {
  std::string joined;
  std::string target;
  std::string value;
  std::vector<std::string_view> groups;
};

Scratch& ThreadScratch() {
  thread_local Scratch scratch;
  return scratch;
}

// The source label values joined with the separator. Returns a view of the
// single value when there is one source (no copy).
std::string_view JoinSources(const RuleConfig& c, const model::LabelsBuilder& lb, std::string* buf) {
  if (c.source_labels.size() == 1) return lb.Get(c.source_labels[0]);
  buf->clear();
  for (size_t i = 0; i < c.source_labels.size(); ++i) {
    if (i > 0) buf->append(c.separator);
    buf->append(lb.Get(c.source_labels[i]));
  }
  return *buf;
}

void ApplyReplace(const Rule& rule, std::string_view val, model::LabelsBuilder& lb, Scratch& s) {
  const Template& target = rule.target();
  const Template& repl = rule.replacement();
  // Prometheus's fast path: empty input, regex not given, no `$` anywhere:
  // set the literal target to the literal replacement (empty deletes).
  if (val.empty() && rule.regex().is_default() && !target.has_dollar() && !repl.has_dollar()) {
    lb.Set(rule.config().target_label, rule.config().replacement);
    return;
  }
  if (!rule.regex().Match(val, &s.groups)) return;
  std::string_view name;
  if (target.has_dollar()) {
    name = target.ExpandView(s.groups, &s.target);
    if (!model::IsValidLabelName(name, rule.scheme())) return;
  } else {
    name = rule.config().target_label;  // a literal target was validated at load
  }
  // `value` may view `val` (and so the builder's storage): Set copies it first.
  std::string_view value = repl.ExpandView(s.groups, &s.value);
  if (value.empty()) {
    lb.Del(name);
  } else {
    lb.Set(name, value);
  }
}

}  // namespace

uint64_t HashMod(std::string_view value, uint64_t modulus) {
  static EVP_MD* const kMd5 = EVP_MD_fetch(nullptr, "MD5", nullptr);
  struct CtxFree {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
  };
  thread_local std::unique_ptr<EVP_MD_CTX, CtxFree> ctx_owner(EVP_MD_CTX_new());
  EVP_MD_CTX* ctx = ctx_owner.get();
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  const EVP_MD* md = kMd5 != nullptr ? kMd5 : EVP_md5();
  EVP_DigestInit_ex(ctx, md, nullptr);
  EVP_DigestUpdate(ctx, value.data(), value.size());
  EVP_DigestFinal_ex(ctx, digest, &len);
  uint64_t x = 0;
  for (int i = 8; i < 16; ++i) x = (x << 8) | digest[i];
  return x % modulus;
}

bool Apply(const Rule& rule, model::LabelsBuilder& lb) {
  Scratch& s = ThreadScratch();
  const RuleConfig& c = rule.config();
  std::string_view val = JoinSources(c, lb, &s.joined);
  switch (rule.action()) {
    case Action::kDrop:
      return !rule.regex().FullMatch(val);
    case Action::kKeep:
      return rule.regex().FullMatch(val);
    case Action::kDropEqual:
      return lb.Get(c.target_label) != val;
    case Action::kKeepEqual:
      return lb.Get(c.target_label) == val;
    case Action::kReplace:
      ApplyReplace(rule, val, lb, s);
      return true;
    case Action::kLowercase:
      lb.Set(c.target_label, util::ToLower(val));
      return true;
    case Action::kUppercase:
      lb.Set(c.target_label, util::ToUpper(val));
      return true;
    case Action::kHashMod: {
      char buf[24];
      auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), HashMod(val, c.modulus));
      lb.Set(c.target_label, std::string_view(buf, static_cast<size_t>(end - buf)));
      return true;
    }
    // Only names starting with the regex's literal prefix can match, so
    // labelmap and labeldrop visit just those (labelkeep must see all).
    case Action::kLabelMap:
      lb.RangeWithPrefix(rule.regex().literal_prefix(), [&](const model::Label& l) {
        if (!rule.regex().Match(l.name, &s.groups)) return;
        lb.Set(rule.replacement().ExpandView(s.groups, &s.target), l.value);
      });
      return true;
    case Action::kLabelDrop:
      lb.RangeWithPrefix(rule.regex().literal_prefix(), [&](const model::Label& l) {
        if (rule.regex().FullMatch(l.name)) lb.Del(l.name);
      });
      return true;
    case Action::kLabelKeep:
      lb.Range([&](const model::Label& l) {
        if (!rule.regex().FullMatch(l.name)) lb.Del(l.name);
      });
      return true;
  }
  return true;
}

bool Process(std::span<const Rule> rules, model::LabelsBuilder& lb) {
  for (const Rule& r : rules) {
    if (!Apply(r, lb)) return false;
  }
  return true;
}

std::optional<model::Labels> Process(std::span<const Rule> rules, const model::Labels& labels) {
  model::LabelsBuilder lb(labels);
  if (!Process(rules, lb)) return std::nullopt;
  return lb.Build();
}

bool ProcessTraced(std::span<const Rule> rules, model::LabelsBuilder& lb, const StepFn& step) {
  for (size_t i = 0; i < rules.size(); ++i) {
    bool keep = Apply(rules[i], lb);
    step(i, lb, keep);
    if (!keep) return false;
  }
  return true;
}

}  // namespace kubescrape::relabel
