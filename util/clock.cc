#include "util/clock.h"

namespace kubescrape::util {

SystemClock& SystemClock::Default() {
  static SystemClock clock;
  return clock;
}

}  // namespace kubescrape::util
