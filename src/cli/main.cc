// greenroute: sustainability-aware LLM inference on edge clusters.
//
// The program is a set of subcommands; each lives in its own cmd_*.cc file and
// registers itself here. Parsing errors and command failures end in one line
// on stderr and a non-zero exit (see cli_common.h).
#include <CLI/CLI.hpp>

#include <exception>
#include <vector>

#include "cli_common.h"
#include "greenroute/core/log.h"

namespace {

// CLI11's default failure output is several lines with a usage dump; keep the
// one-line error convention and point at --help instead.
std::string one_line_failure(const CLI::App* app, const CLI::Error& e) {
  std::string name = app->get_name();
  std::string msg = "greenroute: error: ";
  msg += e.what();
  msg += " (see '";
  msg += name.empty() || name == "greenroute" ? std::string("greenroute") : "greenroute ... " + name;
  msg += " --help')\n";
  return msg;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace greenroute;
  CLI::App app{"greenroute: sustainability-aware LLM inference on edge clusters.\n"
               "Runs GGUF language models on the local CPU and reports what each prompt costs.",
               "greenroute"};
  app.require_subcommand(1);
  app.failure_message(one_line_failure);
  std::string log_level = "warn";
  app.add_option("--log-level", log_level, "Diagnostics on stderr: debug, info, warn, error, off")
      ->check(CLI::IsMember({"debug", "info", "warn", "error", "off"}));

  std::vector<cli::Command> commands;
  cli::register_model_commands(app, commands);
  cli::register_generate_command(app, commands);
  cli::register_bench_command(app, commands);
  cli::register_profile_commands(app, commands);
  cli::register_power_commands(app, commands);
  cli::register_carbon_commands(app, commands);
  cli::register_node_command(app, commands);
  cli::register_gateway_command(app, commands);
  cli::register_simulate_command(app, commands);
  cli::register_experiment_command(app, commands);

  // CLI11 would call an unknown command "a missing subcommand"; name it.
  if (argc > 1 && argv[1][0] != '-') {
    bool known = false;
    std::string names;
    for (const CLI::App* sub : app.get_subcommands({})) {
      known |= sub->check_name(argv[1]);
      names += (names.empty() ? "" : ", ") + sub->get_name();
    }
    if (!known) {
      return cli::fail(std::string("unknown command '") + argv[1] + "' (commands: " + names + ")", cli::kExitUsage);
    }
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::Error& e) {
    app.exit(e);
    return cli::kExitUsage;
  }

  core::LogLevel level = core::LogLevel::kWarn;
  core::parse_log_level(log_level, &level);
  core::init_logging(level);

  try {
    for (const auto& command : commands) {
      if (command.app->parsed()) return command.run();
    }
  } catch (const std::exception& e) {
    // Commands return Status; this is the last line of defence against a
    // library throwing (e.g. std::bad_alloc), so the user still gets one line.
    return cli::fail(std::string("unexpected failure: ") + e.what());
  }
  return cli::fail("no command given (see 'greenroute --help')", cli::kExitUsage);
}
