#include "promql/annotations.h"

namespace kubescrape::promql {

void Annotations::AddWarning(std::string message, PosRange pos) {
  items_["PromQL warning: " + message] = Item{Kind::kWarning, pos};
}

void Annotations::AddInfo(std::string message, PosRange pos) {
  items_["PromQL info: " + message] = Item{Kind::kInfo, pos};
}

void Annotations::Merge(const Annotations& other) {
  for (const auto& [k, v] : other.items_) items_[k] = v;
}

size_t Annotations::CountWarnings() const {
  size_t n = 0;
  for (const auto& [k, v] : items_) n += v.kind == Kind::kWarning ? 1 : 0;
  return n;
}

size_t Annotations::CountInfos() const {
  size_t n = 0;
  for (const auto& [k, v] : items_) n += v.kind == Kind::kInfo ? 1 : 0;
  return n;
}

std::vector<std::string> Annotations::Render(Kind kind, std::string_view query) const {
  std::vector<std::string> out;
  for (const auto& [message, item] : items_) {
    if (item.kind != kind) continue;
    if (query.empty()) {
      out.push_back(message);
    } else {
      out.push_back(message + " (" + PositionString(query, item.pos.start) + ")");
    }
  }
  return out;
}

std::vector<std::string> Annotations::Warnings(std::string_view query) const { return Render(Kind::kWarning, query); }
std::vector<std::string> Annotations::Infos(std::string_view query) const { return Render(Kind::kInfo, query); }

}  // namespace kubescrape::promql
