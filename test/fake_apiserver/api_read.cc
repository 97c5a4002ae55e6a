// Api: get, list (resourceVersion semantics, limit/continue pagination,
// selectors) and the start of watches.
#include <fmt/format.h>

#include <random>

#include "test/fake_apiserver/api.h"
#include "test/fake_apiserver/api_route.h"

namespace kubescrape::fake_apiserver {
namespace {

// The list body with items as the API server writes them (no kind and
// apiVersion per item).
std::string ListJson(const ResourceType& type, const std::vector<ObjectPtr>& items, uint64_t rv,
                     std::string_view continue_token, std::optional<int64_t> remaining) {
  std::string out = fmt::format("{{\"kind\":\"{}\",\"apiVersion\":\"v1\",\"metadata\":{{\"resourceVersion\":\"{}\"",
                                type.list_kind, rv);
  if (!continue_token.empty()) out += fmt::format(",\"continue\":\"{}\"", continue_token);
  if (remaining) out += fmt::format(",\"remainingItemCount\":{}", *remaining);
  out += "},\"items\":[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    out += items[i]->item_json;
  }
  out += "]}";
  return out;
}

constexpr std::string_view kCompactedContinue =
    "The provided continue parameter is too old to display a consistent list result. You can start a new list "
    "without the continue parameter, or use the continue token in this response to retrieve the remainder of the "
    "results. Continuing with the provided token results in an inconsistent list - objects that were created, "
    "modified, or deleted between the time the first chunk was returned and now may show up in the list.";

// Parsed, converted selectors of a request.
struct Selectors {
  LabelSelector labels;
  FieldSelector fields;
};

ApiOr<Selectors> ParseSelectors(const ResourceType& type, const ListOptions& o) {
  Selectors s;
  util::StatusOr<LabelSelector> labels = LabelSelector::Parse(o.label_selector);
  if (!labels.ok()) return BadRequestError(labels.status().message());
  s.labels = std::move(*labels);
  util::StatusOr<FieldSelector> fields = FieldSelector::Parse(o.field_selector);
  if (!fields.ok()) return BadRequestError(fields.status().message());
  s.fields = std::move(*fields);
  if (util::Status st = s.fields.Convert(type.convert_field); !st.ok()) return BadRequestError(st.message());
  return s;
}

std::chrono::seconds DefaultWatchTimeout() {
  // The API server picks a random timeout in [minRequestTimeout, 2x) so that
  // watches do not all end together; minRequestTimeout defaults to 1800s.
  thread_local std::mt19937 rng(std::random_device{}());
  return std::chrono::seconds(1800 + std::uniform_int_distribution<int>(0, 1799)(rng));
}

}  // namespace

HandleResult Api::List(const Route& route, const QueryMap& query, OutputFormat format) {
  const ResourceType& type = *route.type;
  ApiOr<ListOptions> parsed = ParseListOptions(query);
  if (!parsed.ok()) return parsed.error().ToResponse();
  ListOptions& o = *parsed;
  if (route.legacy_watch || !route.name.empty()) o.watch = o.watch || route.legacy_watch || !route.name.empty();
  if (o.watch) return StartWatch(route, o, query, format);

  ApiOr<Selectors> sel = ParseSelectors(type, o);
  if (!sel.ok()) return sel.error().ToResponse();
  const std::string prefix = route.KeyPrefix();

  // Which version to read, and where to start.
  std::optional<uint64_t> at;  // nullopt: newest
  std::string start_key = prefix;
  bool from_cache = false;     // resourceVersion=0: the watch cache ignores limit
  if (!o.continue_token.empty()) {
    ApiOr<ContinueToken> token = DecodeContinue(o.continue_token);
    if (!token.ok()) return token.error().ToResponse();
    if (!o.resource_version.empty() && o.resource_version != "0") {
      return BadRequestError("specifying resource version is not allowed when using continue").ToResponse();
    }
    if (token->resource_version > 0) at = static_cast<uint64_t>(token->resource_version);
    start_key = prefix + token->start;
    if (at && *at < store_.horizon(type)) {
      ApiError e = ExpiredError(std::string(kCompactedContinue));
      e.list_continue = EncodeContinue(ContinueToken{-1, token->start});
      return e.ToResponse();
    }
  } else {
    ApiOr<uint64_t> rv = ParseResourceVersion(o.resource_version);
    if (!rv.ok()) return rv.error().ToResponse();
    from_cache = o.resource_version == "0";
    uint64_t current = store_.current_rv();
    bool exact = o.resource_version_match == "Exact" ||
                 (o.resource_version_match.empty() && o.limit > 0 && *rv > 0);  // legacy: limit means exact
    if (*rv > current) return TooLargeResourceVersionError(*rv, current).ToResponse();
    if (exact && *rv > 0) {
      if (*rv < store_.horizon(type)) {
        return ExpiredError("The resourceVersion for the provided list is too old.").ToResponse();
      }
      at = *rv;
    }
  }

  util::StatusOr<ObjectStore::Snapshot> snap = store_.List(type, at, prefix);
  if (!snap.ok()) return ExpiredError("The resourceVersion for the provided list is too old.").ToResponse();
  const int64_t limit = from_cache ? 0 : o.limit;
  std::vector<ObjectPtr> items;
  size_t next = 0;  // index after the last item looked at
  const auto& all = snap->items;
  auto first = std::lower_bound(all.begin(), all.end(), start_key,
                                [](const ObjectPtr& p, const std::string& k) { return p->key < k; });
  for (next = static_cast<size_t>(first - all.begin()); next < all.size(); ++next) {
    if (limit > 0 && static_cast<int64_t>(items.size()) >= limit) break;
    const StoredObject& obj = *all[next];
    if (sel->labels.Matches(obj.labels) && sel->fields.Matches(obj.fields)) items.push_back(all[next]);
  }
  std::string continue_token;
  std::optional<int64_t> remaining;
  if (limit > 0 && next < all.size() && !items.empty()) {
    // The next page starts right after the last returned key.
    std::string last = items.back()->key.substr(prefix.size());
    continue_token = EncodeContinue(ContinueToken{static_cast<int64_t>(snap->resource_version), last + '\0'});
    if (sel->labels.empty() && sel->fields.empty()) remaining = static_cast<int64_t>(all.size() - next);
  }
  ApiResponse resp;
  if (format == OutputFormat::kTable) {
    resp.content_type = kTableContentType;
    resp.body = RenderTable(type, items, MakeTableOptions(query), snap->resource_version, continue_token, remaining);
  } else {
    resp.body = ListJson(type, items, snap->resource_version, continue_token, remaining);
  }
  return resp;
}

HandleResult Api::StartWatch(const Route& route, const ListOptions& o, const QueryMap& query, OutputFormat format) {
  const ResourceType& type = *route.type;
  ApiOr<Selectors> sel = ParseSelectors(type, o);
  if (!sel.ok()) return sel.error().ToResponse();
  Watch::Params params;
  params.type = &type;
  params.key_prefix = route.KeyPrefix();
  params.labels = std::move(sel->labels);
  params.fields = std::move(sel->fields);
  if (!route.name.empty()) {
    // Watching one object is a watch with a metadata.name field selector.
    util::StatusOr<FieldSelector> byname =
        FieldSelector::Parse(fmt::format("metadata.name={}{}", route.name,
                                         o.field_selector.empty() ? "" : "," + o.field_selector));
    if (byname.ok() && byname->Convert(type.convert_field).ok()) params.fields = std::move(*byname);
  }
  params.allow_bookmarks = o.allow_watch_bookmarks;
  params.format = format;
  params.table = MakeTableOptions(query);

  WatchStart start;
  start.timeout = o.timeout_seconds && *o.timeout_seconds > 0 ? std::chrono::seconds(*o.timeout_seconds)
                                                              : DefaultWatchTimeout();
  if (format == OutputFormat::kTable) start.content_type = kTableContentType;
  if (o.send_initial_events.value_or(false)) {
    start.watch = std::make_unique<Watch>(Watch::WithInitialState(std::move(params), store_, true));
  } else if (o.resource_version.empty() || o.resource_version == "0") {
    if (o.send_initial_events.has_value()) {  // explicitly false: changes from now on
      start.watch = std::make_unique<Watch>(Watch::FromVersion(std::move(params), store_.current_rv()));
    } else {
      start.watch = std::make_unique<Watch>(Watch::WithInitialState(std::move(params), store_, false));
    }
  } else {
    ApiOr<uint64_t> rv = ParseResourceVersion(o.resource_version);
    if (!rv.ok()) return rv.error().ToResponse();
    start.watch = std::make_unique<Watch>(Watch::FromVersion(std::move(params), *rv));
  }
  return start;
}

ApiResponse Api::Get(const Route& route, const QueryMap& query, OutputFormat format) {
  const ResourceType& type = *route.type;
  ObjectPtr obj = store_.Get(type, ObjectStore::Key(type, route.ns, route.name));
  if (obj == nullptr) return NotFoundError(type.name, route.name).ToResponse();
  ApiResponse resp;
  if (format == OutputFormat::kTable) {
    resp.content_type = kTableContentType;
    resp.body = RenderTable(type, {obj}, MakeTableOptions(query), obj->resource_version);
  } else {
    resp.body = obj->FullJson();
  }
  return resp;
}

}  // namespace kubescrape::fake_apiserver
