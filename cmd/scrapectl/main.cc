// scrapectl: the Kubescrape command-line tool (see commands.h).
#include <iostream>
#include <string>
#include <vector>

#include "cmd/scrapectl/commands.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return kubescrape::scrapectl::Main(args, std::cout, std::cerr);
}
