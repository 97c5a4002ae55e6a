#include "util/crc32c.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace kubescrape::util::crc32c {
namespace {

// Test vectors from RFC 3720 (iSCSI) appendix B.4 and the usual check value.
TEST(Crc32cTest, StandardVectors) {
  EXPECT_EQ(Value("123456789"), 0xE3069283u);
  EXPECT_EQ(Value(""), 0u);
  EXPECT_EQ(Value(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(Value(std::string(32, '\xff')), 0x62A8AB43u);
  std::string ascending, descending;
  for (int i = 0; i < 32; ++i) {
    ascending.push_back(static_cast<char>(i));
    descending.push_back(static_cast<char>(31 - i));
  }
  EXPECT_EQ(Value(ascending), 0x46DD794Eu);
  EXPECT_EQ(Value(descending), 0x113FDB5Cu);
  // An iSCSI read command PDU (RFC 3720 B.4).
  const unsigned char pdu[48] = {0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                                 0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00,
                                 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18, 0x28, 0x00, 0x00, 0x00,
                                 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
  EXPECT_EQ(Value(reinterpret_cast<const char*>(pdu), sizeof(pdu)), 0xD9963A56u);
}

TEST(Crc32cTest, ExtendEqualsWhole) {
  std::string data = "hello, write-ahead log";
  for (size_t split = 0; split <= data.size(); ++split) {
    EXPECT_EQ(Extend(Value(data.data(), split), data.data() + split, data.size() - split), Value(data));
  }
}

TEST(Crc32cTest, HardwareAndPortableAgreeOnEveryLengthAndAlignment) {
  std::mt19937 rng(42);
  std::string buf(4096 + 16, '\0');
  for (char& c : buf) c = static_cast<char>(rng());
  for (size_t offset = 0; offset < 9; ++offset) {
    for (size_t len : {0, 1, 7, 8, 9, 15, 16, 63, 64, 65, 1000, 4096}) {
      EXPECT_EQ(Extend(0x1234u, buf.data() + offset, len), ExtendPortable(0x1234u, buf.data() + offset, len))
          << "offset " << offset << " len " << len;
    }
  }
}

}  // namespace
}  // namespace kubescrape::util::crc32c
