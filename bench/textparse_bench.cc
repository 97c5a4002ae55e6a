// Placeholder: being written (issue 3). Links so the build stays green.
#include <benchmark/benchmark.h>

BENCHMARK_MAIN();
