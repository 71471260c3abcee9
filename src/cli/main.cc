// greenroute: sustainability-aware LLM inference on edge clusters.
#include <CLI/CLI.hpp>

int main(int argc, char** argv) {
  CLI::App app{"greenroute: sustainability-aware LLM inference on edge clusters"};
  app.require_subcommand(1);
  CLI11_PARSE(app, argc, argv);
  return 0;
}
