// Shared pieces of the greenroute command line: how a command reports failure.
//
// Every command returns an exit code: 0 success, 1 the work failed (bad file,
// does not fit, I/O), 2 the invocation was wrong (flags, values). Errors are
// one line on stderr: "greenroute: error: <what went wrong>".
#pragma once

#include <functional>
#include <string_view>

#include <CLI/CLI.hpp>

#include "greenroute/core/status.h"

namespace greenroute::cli {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

// Prints "greenroute: error: <message>" and returns the exit code for it.
int fail(std::string_view message, int exit_code = kExitFailure);
// Same for a Status: kInvalidArgument maps to kExitUsage, the rest to kExitFailure.
int fail(const core::Status& status);

// A subcommand and the function that runs it once its flags are parsed.
struct Command {
  CLI::App* app;
  std::function<int()> run;
};

// Registration hooks, one per command file.
void register_model_commands(CLI::App& root, std::vector<Command>& commands);
void register_generate_command(CLI::App& root, std::vector<Command>& commands);
void register_power_commands(CLI::App& root, std::vector<Command>& commands);
void register_carbon_commands(CLI::App& root, std::vector<Command>& commands);
void register_bench_command(CLI::App& root, std::vector<Command>& commands);
void register_profile_commands(CLI::App& root, std::vector<Command>& commands);
void register_node_command(CLI::App& root, std::vector<Command>& commands);
void register_gateway_command(CLI::App& root, std::vector<Command>& commands);
void register_simulate_command(CLI::App& root, std::vector<Command>& commands);
void register_experiment_command(CLI::App& root, std::vector<Command>& commands);

}  // namespace greenroute::cli
