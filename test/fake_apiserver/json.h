#pragma once
// Small RapidJSON helpers for the fake API server: parse and serialize, find
// members by path, set members, RFC 7386 merge patches, and the member order
// Go's API types serialize in (kind, apiVersion, metadata, spec, status).
//
// RapidJSON asserts on wrong-type access; every helper here checks types
// first, so malformed client input is an error value, never a crash.
//
// Thread-safety: pure functions.

#include <rapidjson/document.h>

#include <initializer_list>
#include <string>
#include <string_view>

#include "util/status.h"

namespace kubescrape::fake_apiserver {

using JsonAllocator = rapidjson::Document::AllocatorType;

// Parses `text`. InvalidArgument with RapidJSON's message and byte offset.
util::StatusOr<rapidjson::Document> ParseJson(std::string_view text);

// Compact JSON text of `value`.
std::string ToJson(const rapidjson::Value& value);

// The member at `path` (object keys), or null when a step is missing or not
// an object.
const rapidjson::Value* FindPath(const rapidjson::Value& root, std::initializer_list<std::string_view> path);
rapidjson::Value* FindPath(rapidjson::Value& root, std::initializer_list<std::string_view> path);

// The string at `path`, or "" when absent or not a string.
std::string GetString(const rapidjson::Value& root, std::initializer_list<std::string_view> path);

// A string value copied into `alloc`.
rapidjson::Value JsonString(std::string_view s, JsonAllocator& alloc);

// Sets obj[name] = value, replacing an existing member. REQUIRES: obj.IsObject().
void SetMember(rapidjson::Value& obj, std::string_view name, rapidjson::Value value, JsonAllocator& alloc);

// obj[name] as an object, created (or replaced when not an object) if needed.
// REQUIRES: obj.IsObject().
rapidjson::Value& EnsureObject(rapidjson::Value& obj, std::string_view name, JsonAllocator& alloc);

// Removes obj[name] if present. REQUIRES: obj.IsObject().
void RemoveMember(rapidjson::Value& obj, std::string_view name);

// Applies an RFC 7386 JSON merge patch to `target`.
void MergePatch(rapidjson::Value& target, const rapidjson::Value& patch, JsonAllocator& alloc);

// Reorders members the way the API server writes objects: kind, apiVersion,
// metadata (name, generateName, namespace, uid, resourceVersion, ...), spec,
// status, then the rest in their original order.
void CanonicalizeObject(rapidjson::Value& obj, JsonAllocator& alloc);

}  // namespace kubescrape::fake_apiserver
