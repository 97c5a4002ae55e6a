#include "discovery/kube_requests.h"

#include <gtest/gtest.h>

namespace kubescrape::discovery {
namespace {

TEST(KubeRequestsTest, PodRoleResourcesPerNamespaceWithSelectors) {
  KubernetesSdConfig c;
  auto all = PodRoleResources(c, "monitoring");
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0], (KubeResource{ObjectKind::kPod, "", "", ""}));

  c.namespaces = {"test", "default"};
  c.own_namespace = true;
  c.selectors = {{KubernetesRole::kPod, "app=web", "spec.nodeName=n1"}, {KubernetesRole::kNode, "zone=a", ""}};
  c.attach_node_metadata = true;
  auto some = PodRoleResources(c, "monitoring");
  ASSERT_EQ(some.size(), 4u);
  EXPECT_EQ(some[0], (KubeResource{ObjectKind::kPod, "default", "app=web", "spec.nodeName=n1"}));
  EXPECT_EQ(some[1].namespace_name, "monitoring");
  EXPECT_EQ(some[2].namespace_name, "test");
  EXPECT_EQ(some[3], (KubeResource{ObjectKind::kNode, "", "zone=a", ""}));
}

TEST(KubeRequestsTest, ListAndWatchTargets) {
  KubeResource pods{ObjectKind::kPod, "test", "app in (a,b)", ""};
  EXPECT_EQ(ListTarget(pods, "0", ""),
            "/api/v1/namespaces/test/pods?limit=500&resourceVersion=0&labelSelector=app+in+%28a%2Cb%29");
  // Later pages carry the continue token instead of the resource version.
  EXPECT_EQ(ListTarget(pods, "0", "tok/=="),
            "/api/v1/namespaces/test/pods?limit=500&continue=tok%2F%3D%3D&labelSelector=app+in+%28a%2Cb%29");
  EXPECT_EQ(WatchTarget(KubeResource{ObjectKind::kPod, "", "", "status.phase=Running"}, "42",
                        std::chrono::seconds(321)),
            "/api/v1/pods?watch=true&allowWatchBookmarks=true&resourceVersion=42&timeoutSeconds=321"
            "&fieldSelector=status.phase%3DRunning");
  EXPECT_EQ(ResourcePath({ObjectKind::kNode, "ignored", "", ""}), "/api/v1/nodes");
  EXPECT_EQ(ResourcePath({ObjectKind::kNamespace, "", "", ""}), "/api/v1/namespaces");
  EXPECT_EQ(ResourcePath({ObjectKind::kReplicaSet, "x", "", ""}), "/apis/apps/v1/namespaces/x/replicasets");
}

TEST(KubeRequestsTest, ApiErrorsReadTheStatusObject) {
  KubeApiError gone = ParseApiError(
      410, R"j({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)j"
           R"j("message":"too old resource version: 1 (5)","reason":"Expired","code":410})j");
  EXPECT_TRUE(gone.expired());
  EXPECT_EQ(gone.reason, "Expired");
  EXPECT_EQ(gone.message, "too old resource version: 1 (5)");
  KubeApiError forbidden = ParseApiError(403, R"({"kind":"Status","reason":"Forbidden",)"
                                              R"("message":"pods is forbidden: User \"x\" cannot list"})");
  EXPECT_FALSE(forbidden.expired());
  EXPECT_EQ(forbidden.message, "pods is forbidden: User \"x\" cannot list");
  KubeApiError html = ParseApiError(502, "<html>bad gateway</html>\n");
  EXPECT_EQ(html.message, "<html>bad gateway</html>");
}

TEST(KubeRequestsTest, BackoffDoublesToThirtySecondsAndResets) {
  Backoff b;
  EXPECT_EQ(b.Next().count(), 800);
  EXPECT_EQ(b.Next().count(), 1600);
  for (int i = 0; i < 10; ++i) b.Next();
  EXPECT_EQ(b.Next().count(), 30000);
  b.Reset();
  EXPECT_EQ(b.Next().count(), 800);
}

}  // namespace
}  // namespace kubescrape::discovery
