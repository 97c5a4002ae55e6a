#pragma once
// Annotations: the warnings and infos a query returns beside its result
// (Prometheus's util/annotations). Each has a message and the position of
// the expression it is about; rendered for the API as
// "PromQL warning: <message> (<line>:<col>)".
//
// Like Prometheus, annotations are deduplicated by message (without the
// position); the last position added wins.
//
// Thread-safety: none; owned by one query.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "promql/ast.h"

namespace kubescrape::promql {

class Annotations {
 public:
  enum class Kind : uint8_t { kWarning, kInfo };

  // `message` without the "PromQL warning: " prefix.
  void AddWarning(std::string message, PosRange pos);
  void AddInfo(std::string message, PosRange pos);
  void Merge(const Annotations& other);

  bool empty() const { return items_.empty(); }
  size_t CountWarnings() const;
  size_t CountInfos() const;

  // The API strings, sorted. `query` locates positions; with an empty query
  // the position is omitted.
  std::vector<std::string> Warnings(std::string_view query) const;
  std::vector<std::string> Infos(std::string_view query) const;

 private:
  struct Item {
    Kind kind;
    PosRange pos;
  };
  std::vector<std::string> Render(Kind kind, std::string_view query) const;
  std::map<std::string, Item> items_;  // keyed by prefixed message
};

}  // namespace kubescrape::promql
