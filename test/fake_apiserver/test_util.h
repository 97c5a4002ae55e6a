#pragma once
// Test helpers for the fake API server's pure tests: a store and an Api on
// a fake clock, requests in one line, JSON access.

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <string>
#include <string_view>

#include "test/fake_apiserver/api.h"
#include "test/fake_apiserver/json.h"
#include "test/fake_apiserver/pod_builder.h"
#include "util/clock.h"

namespace kubescrape::fake_apiserver {

class Cluster {
 public:
  explicit Cluster(Api::Options options = {}, size_t history_limit = 100000)
      : store_(ObjectStore::Options{history_limit}), api_(store_, clock_, std::move(options)) {}

  // A plain (non-watch) request; a watch result fails the test.
  ApiResponse Do(std::string method, std::string target, std::string body = "", std::string content_type = "",
                 std::string accept = "", std::string authorization = "") {
    ApiRequest r;
    r.method = std::move(method);
    r.target = std::move(target);
    r.body = std::move(body);
    r.content_type = std::move(content_type);
    r.accept = std::move(accept);
    r.authorization = std::move(authorization);
    HandleResult result = api_.Handle(r);
    if (std::holds_alternative<WatchStart>(result)) {
      ADD_FAILURE() << "unexpected watch for " << r.target;
      return ApiResponse{};
    }
    return std::get<ApiResponse>(std::move(result));
  }
  ApiResponse Get(std::string target) { return Do("GET", std::move(target)); }

  // Starts a watch; null (with a failure) when the request is answered
  // with a plain response instead.
  std::unique_ptr<Watch> StartWatch(std::string target, std::string accept = "") {
    ApiRequest r;
    r.method = "GET";
    r.target = std::move(target);
    r.accept = std::move(accept);
    HandleResult result = api_.Handle(r);
    if (auto* resp = std::get_if<ApiResponse>(&result)) {
      ADD_FAILURE() << "expected a watch for " << r.target << ", got " << resp->code << " " << resp->body;
      return nullptr;
    }
    return std::move(std::get<WatchStart>(result).watch);
  }

  // Creates a pod through the API; fails the test on error.
  ObjectPtr Create(const PodBuilder& pod) { return Create(pod.Json()); }
  ObjectPtr Create(const std::string& json) {
    util::StatusOr<rapidjson::Document> doc = ParseJson(json);
    std::string ns = doc.ok() ? GetString(*doc, {"metadata", "namespace"}) : "";
    ApiOr<ObjectPtr> r = api_.Create(PodsResource(), ns.empty() ? "default" : ns, json);
    if (!r.ok()) {
      ADD_FAILURE() << r.error().StatusJson();
      return nullptr;
    }
    return *r;
  }

  util::FakeClock& clock() { return clock_; }
  ObjectStore& store() { return store_; }
  Api& api() { return api_; }

 private:
  util::FakeClock clock_{1700000000000};  // 2023-11-14T22:13:20Z
  ObjectStore store_;
  Api api_;
};

inline rapidjson::Document Parse(std::string_view json) {
  util::StatusOr<rapidjson::Document> doc = ParseJson(json);
  EXPECT_TRUE(doc.ok()) << doc.status().message() << " in " << json;
  return doc.ok() ? std::move(*doc) : rapidjson::Document();
}

// The names ("ns/name") of a list's items, in order.
inline std::vector<std::string> ItemKeys(const rapidjson::Document& list) {
  std::vector<std::string> out;
  const rapidjson::Value* items = FindPath(list, {"items"});
  if (items == nullptr || !items->IsArray()) return out;
  for (const rapidjson::Value& item : items->GetArray()) {
    std::string ns = GetString(item, {"metadata", "namespace"});
    std::string name = GetString(item, {"metadata", "name"});
    out.push_back(ns.empty() ? name : ns + "/" + name);
  }
  return out;
}

}  // namespace kubescrape::fake_apiserver
