#include "discovery/manager.h"

#include <gtest/gtest.h>

#include <thread>

#include "discovery/file_sd.h"
#include "discovery/target_groups.h"

namespace kubescrape::discovery {
namespace {

using model::Labels;
using model::TargetGroup;

TargetGroup Group(std::string source, std::vector<std::string> addresses, Labels labels = {}) {
  TargetGroup g;
  g.source = std::move(source);
  g.labels = std::move(labels);
  for (const std::string& a : addresses)
    g.targets.push_back(Labels::FromPairs({{"__address__", a}}));
  return g;
}

std::vector<std::string> Sources(const GroupsSnapshot& groups) {
  std::vector<std::string> out;
  for (const TargetGroup& g : *groups) out.push_back(g.source);
  return out;
}

std::vector<std::string> Jobs(const std::vector<JobTargets>& changes) {
  std::vector<std::string> out;
  for (const JobTargets& c : changes) out.push_back(c.job + (c.removed ? " (removed)" : ""));
  return out;
}

// A manager with job "api" {static/0, file/0} and job "db" {static/0},
// whose initial (empty) changes were taken.
class ManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_.ApplyConfig({{"api", {"static/0", "file/0"}}, {"db", {"static/0"}}});
    EXPECT_EQ(Jobs(m_.TakeChanges()), (std::vector<std::string>{"api", "db"}));
  }
  Manager m_;
};

TEST_F(ManagerTest, NothingChangedIsNothingToTake) {
  EXPECT_FALSE(m_.HasChanges());
  EXPECT_TRUE(m_.TakeChanges().empty());
}

TEST_F(ManagerTest, GroupReplacedBySource) {
  ASSERT_TRUE(m_.Update("api", "file/0", {Group("f:0", {"a"}), Group("f:1", {"b"})}));
  ASSERT_TRUE(m_.Update("api", "file/0", {Group("f:1", {"c", "d"})}));
  auto changes = m_.TakeChanges();
  ASSERT_EQ(Jobs(changes), std::vector<std::string>{"api"});
  const auto& groups = *changes[0].groups;
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].targets.size(), 1u);
  EXPECT_EQ(groups[1].source, "f:1");
  EXPECT_EQ(groups[1].targets.size(), 2u);
  EXPECT_EQ(groups[1].targets[0].Get("__address__"), "c");
}

TEST_F(ManagerTest, EmptyGroupRemovesItsSource) {
  ASSERT_TRUE(m_.Update("api", "file/0", {Group("f:0", {"a"}), Group("f:1", {"b"})}));
  EXPECT_EQ(m_.TakeChanges().size(), 1u);
  ASSERT_TRUE(m_.Update("api", "file/0", {Group("f:0", {})}));
  auto changes = m_.TakeChanges();
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(Sources(changes[0].groups), std::vector<std::string>{"f:1"});
  // An empty group for an unknown source changes nothing.
  ASSERT_TRUE(m_.Update("api", "file/0", {Group("f:7", {})}));
  EXPECT_FALSE(m_.HasChanges());
}

TEST_F(ManagerTest, TwoProvidersInOneJobSortedDeterministically) {
  ASSERT_TRUE(m_.Update("api", "static/0", {Group("1", {"s1"}), Group("0", {"s0"})}));
  ASSERT_TRUE(m_.Update("api", "file/0", {Group("z.yml:0", {"f"}), Group("a.yml:0", {"g"})}));
  auto changes = m_.TakeChanges();
  ASSERT_EQ(changes.size(), 1u);
  // By provider id, then source.
  EXPECT_EQ(Sources(changes[0].groups), (std::vector<std::string>{"a.yml:0", "z.yml:0", "0", "1"}));
  // The same source in two providers are two groups.
  ASSERT_TRUE(m_.Update("db", "static/0", {Group("0", {"db"})}));
  EXPECT_EQ(m_.Groups("api")->size(), 4u);
  EXPECT_EQ(m_.Groups("db")->size(), 1u);
}

TEST_F(ManagerTest, BurstOfUpdatesIsOneChange) {
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(m_.Update("api", "file/0", {Group("f:0", {"a" + std::to_string(i)})}));
  }
  EXPECT_TRUE(m_.HasChanges());
  auto changes = m_.TakeChanges();
  ASSERT_EQ(changes.size(), 1u);
  ASSERT_EQ(changes[0].groups->size(), 1u);
  EXPECT_EQ((*changes[0].groups)[0].targets[0].Get("__address__"), "a99");
  EXPECT_FALSE(m_.HasChanges());
  EXPECT_TRUE(m_.TakeChanges().empty());
  ManagerStats s = m_.Stats();
  EXPECT_EQ(s.updates_received, 100u);
  EXPECT_EQ(s.snapshots_taken, 2u);  // SetUp's and this one
}

TEST_F(ManagerTest, IdenticalUpdateIsNotAChange) {
  ASSERT_TRUE(m_.Update("api", "file/0", {Group("f:0", {"a"}, Labels::FromPairs({{"k", "v"}}))}));
  EXPECT_EQ(m_.TakeChanges().size(), 1u);
  ASSERT_TRUE(m_.Update("api", "file/0", {Group("f:0", {"a"}, Labels::FromPairs({{"k", "v"}}))}));
  EXPECT_FALSE(m_.HasChanges());
  ASSERT_TRUE(m_.Update("api", "file/0", {Group("f:0", {"a"}, Labels::FromPairs({{"k", "w"}}))}));
  EXPECT_TRUE(m_.HasChanges());
}

TEST_F(ManagerTest, UpdatesForUnconfiguredProvidersAreDropped) {
  EXPECT_FALSE(m_.Update("api", "kubernetes/0", {Group("x", {"a"})}));
  EXPECT_FALSE(m_.Update("web", "static/0", {Group("0", {"a"})}));
  EXPECT_FALSE(m_.HasChanges());
  EXPECT_EQ(m_.Groups("web"), nullptr);
  ManagerStats s = m_.Stats();
  EXPECT_EQ(s.updates_received, 2u);
  EXPECT_EQ(s.updates_dropped, 2u);
}

TEST_F(ManagerTest, ReloadKeepsAndRemovesProviders) {
  ASSERT_TRUE(m_.Update("api", "static/0", {Group("0", {"s"})}));
  ASSERT_TRUE(m_.Update("api", "file/0", {Group("f:0", {"f"})}));
  ASSERT_TRUE(m_.Update("db", "static/0", {Group("0", {"d"})}));
  EXPECT_EQ(m_.TakeChanges().size(), 2u);

  // api loses file/0 and gains kubernetes/0; db is removed; web is new.
  m_.ApplyConfig({{"api", {"static/0", "kubernetes/0"}}, {"web", {"static/0"}}});
  auto changes = m_.TakeChanges();
  ASSERT_EQ(Jobs(changes), (std::vector<std::string>{"api", "db (removed)", "web"}));
  EXPECT_EQ(Sources(changes[0].groups), std::vector<std::string>{"0"});  // static kept its group
  EXPECT_TRUE(changes[1].groups->empty());
  EXPECT_TRUE(changes[2].groups->empty());
  EXPECT_EQ(m_.Groups("db"), nullptr);

  // A late update from the removed provider is dropped.
  EXPECT_FALSE(m_.Update("api", "file/0", {Group("f:0", {"f"})}));
  EXPECT_TRUE(m_.Update("api", "kubernetes/0", {Group("pod/a", {"p"})}));
  EXPECT_EQ(Sources(m_.Groups("api")), (std::vector<std::string>{"pod/a", "0"}));

  // A reload that keeps everything loses nothing but re-sends full state.
  EXPECT_EQ(m_.TakeChanges().size(), 1u);
  m_.ApplyConfig({{"api", {"static/0", "kubernetes/0"}}, {"web", {"static/0"}}});
  changes = m_.TakeChanges();
  ASSERT_EQ(Jobs(changes), (std::vector<std::string>{"api", "web"}));
  EXPECT_EQ(changes[0].groups->size(), 2u);
}

TEST_F(ManagerTest, JobRemovedAndReaddedBeforeTakeIsNotRemoved) {
  ASSERT_TRUE(m_.Update("db", "static/0", {Group("0", {"d"})}));
  m_.ApplyConfig({{"api", {"static/0", "file/0"}}});
  m_.ApplyConfig({{"api", {"static/0", "file/0"}}, {"db", {"static/0"}}});
  auto changes = m_.TakeChanges();
  ASSERT_EQ(Jobs(changes), (std::vector<std::string>{"api", "db"}));
  EXPECT_TRUE(changes[1].groups->empty());  // its old groups went with the removal
}

TEST_F(ManagerTest, ReplaceSetsTheCompleteSet) {
  ASSERT_TRUE(
      m_.Replace("api", "static/0", {Group("0", {"a"}), Group("1", {"b"}), Group("2", {"c"})}));
  EXPECT_EQ(m_.TakeChanges().size(), 1u);
  ASSERT_TRUE(m_.Replace("api", "static/0", {Group("0", {"a"}), Group("1", {"b2"})}));
  EXPECT_EQ(Sources(m_.Groups("api")), (std::vector<std::string>{"0", "1"}));
  EXPECT_EQ((*m_.Groups("api"))[1].targets[0].Get("__address__"), "b2");
  EXPECT_EQ(m_.TakeChanges().size(), 1u);
  ASSERT_TRUE(m_.Replace("api", "static/0", {Group("0", {"a"}), Group("1", {"b2"})}));
  EXPECT_FALSE(m_.HasChanges());
}

TEST_F(ManagerTest, SnapshotsAreImmutableAndShared) {
  ASSERT_TRUE(m_.Update("api", "file/0", {Group("f:0", {"a"})}));
  GroupsSnapshot first = m_.TakeChanges()[0].groups;
  EXPECT_EQ(m_.Groups("api"), first);  // unchanged: the same snapshot
  ASSERT_TRUE(m_.Update("api", "file/0", {Group("f:0", {"b"})}));
  GroupsSnapshot second = m_.Groups("api");
  EXPECT_NE(second, first);
  EXPECT_EQ((*first)[0].targets[0].Get("__address__"), "a");
  EXPECT_EQ((*second)[0].targets[0].Get("__address__"), "b");
}

TEST_F(ManagerTest, DiscoveredTargetsPerJob) {
  ASSERT_TRUE(m_.Update("api", "file/0", {Group("f:0", {"a", "b"}), Group("f:1", {"c"})}));
  ASSERT_TRUE(m_.Update("api", "static/0", {Group("0", {"d"})}));
  ManagerStats s = m_.Stats();
  EXPECT_EQ(s.discovered_targets, (std::map<std::string, size_t>{{"api", 4}, {"db", 0}}));
}

TEST_F(ManagerTest, ConcurrentProvidersAndTaker) {
  std::vector<std::thread> providers;
  for (int p = 0; p < 2; ++p) {
    providers.emplace_back([this, p] {
      std::string id = p == 0 ? "static/0" : "file/0";
      for (int i = 0; i < 200; ++i) {
        EXPECT_TRUE(
            m_.Update("api", id, {Group(std::to_string(i % 10), {"t" + std::to_string(i)})}));
      }
    });
  }
  size_t taken = 0;
  for (int i = 0; i < 50; ++i) taken += m_.TakeChanges().size();
  for (std::thread& t : providers) t.join();
  taken += m_.TakeChanges().size();
  EXPECT_GE(taken, 1u);
  EXPECT_EQ(m_.Groups("api")->size(), 20u);
  EXPECT_EQ(m_.Stats().updates_received, 400u);
}

TEST(StaticGroupsTest, SourcesAreIndices) {
  std::vector<StaticConfig> configs(2);
  configs[0].group = Group("whatever", {"a", "b"});
  configs[1].group = Group("", {"c"}, Labels::FromPairs({{"env", "x"}}));
  auto groups = StaticGroups(configs);
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].source, "0");
  EXPECT_EQ(groups[0].targets.size(), 2u);
  EXPECT_EQ(groups[1].source, "1");
  EXPECT_EQ(groups[1].labels.Get("env"), "x");
}

TEST(ManagerFileSdTest, FileSdFeedsTheManager) {
  util::MemFileSystem fs;
  util::FakeClock clock;
  fs.WriteFile("/sd/a.yml", "- targets: [a, b]\n- targets: [c]\n");
  FileSdConfig config;
  config.files = {"/sd/*.yml"};
  FileSd sd(config, fs, clock);
  Manager m;
  m.ApplyConfig({{"job", {"file/0"}}});
  FileSdRefresh r = sd.Refresh();
  ASSERT_TRUE(r.errors.empty());
  ASSERT_TRUE(m.Update("job", "file/0", std::move(r.groups)));
  auto changes = m.TakeChanges();
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(Sources(changes[0].groups), (std::vector<std::string>{"/sd/a.yml:0", "/sd/a.yml:1"}));

  fs.WriteFile("/sd/a.yml", "- targets: [a, b]\n");
  r = sd.Refresh();
  ASSERT_TRUE(r.errors.empty());
  ASSERT_TRUE(m.Update("job", "file/0", std::move(r.groups)));
  changes = m.TakeChanges();
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(Sources(changes[0].groups), std::vector<std::string>{"/sd/a.yml:0"});
  EXPECT_EQ(m.Stats().discovered_targets.at("job"), 2u);
}

}  // namespace
}  // namespace kubescrape::discovery
