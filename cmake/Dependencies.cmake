# Every dependency comes from a Debian 12 package (scripts/setup.sh installs them).
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)
find_package(yaml-cpp REQUIRED)          # libyaml-cpp-dev: target yaml-cpp
find_package(fmt REQUIRED)               # libfmt-dev: fmt::fmt
find_package(OpenSSL REQUIRED)           # libssl-dev: OpenSSL::Crypto, OpenSSL::SSL
find_package(ZLIB REQUIRED)              # zlib1g-dev: ZLIB::ZLIB
find_package(Boost 1.81 EXACT REQUIRED)  # libboost1.81-dev: Boost::headers (Asio, Beast)
pkg_check_modules(RE2 REQUIRED IMPORTED_TARGET re2)   # libre2-dev has no CMake config
find_package(Snappy REQUIRED)            # libsnappy-dev: Snappy::snappy (WAL records, as Prometheus)
pkg_check_modules(ZSTD REQUIRED IMPORTED_TARGET libzstd)  # libzstd-dev: WAL records (Prometheus's zstd option)
find_package(RapidJSON REQUIRED)         # rapidjson-dev: include dirs only
if(NOT TARGET ks_rapidjson)
  add_library(ks_rapidjson INTERFACE)
  target_include_directories(ks_rapidjson SYSTEM INTERFACE ${RAPIDJSON_INCLUDE_DIRS})
endif()
if(KS_BUILD_TESTS)
  find_package(GTest REQUIRED)           # googletest / libgtest-dev / libgmock-dev
endif()
if(KS_BUILD_BENCH AND NOT KS_SANITIZE)
  find_package(benchmark REQUIRED)       # libbenchmark-dev
endif()
