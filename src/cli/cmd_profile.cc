// `greenroute profile show FILE|NAME` and `greenroute profile predict`:
// read a device profile (validating every field, naming any bad one) and ask
// it what a batch would cost. NAME is a built-in reference profile.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli_common.h"
#include "greenroute/carbon/accounting.h"
#include "greenroute/profile/profile_json.h"
#include "greenroute/profile/reference_profiles.h"

namespace greenroute::cli {
namespace {

struct ShowOptions {
  std::string profile;
  bool json = false;
};

struct PredictOptions {
  std::string profile;
  int batch = 1;
  double prompt_tokens = 128;
  double output_tokens = 128;
  double intensity = -1;
  bool json = false;
};

// A file path, or the name of a built-in reference profile.
core::Result<profile::DeviceProfile> open_profile(const std::string& what) {
  GR_ASSIGN_OR_RETURN(profile::OpenedProfile opened, profile::open_profile(what));
  return std::move(opened.profile);
}

std::string model_line(const profile::CostModel& m) {
  if (!m.fit) return "derived (reference), not fitted";
  return fmt::format("fitted on {} runs: R^2 {:.3f}, MAPE {:.1f}%", m.fit->n, m.fit->r2, m.fit->mape_pct);
}

int run_show(const ShowOptions& o) {
  auto p = open_profile(o.profile);
  if (!p.is_ok()) return fail(p.status().message(), kExitUsage);  // the file or name the user gave
  if (o.json) {
    auto text = profile::profile_to_text(*p);
    if (!text.is_ok()) return fail(text.status());
    std::printf("%s", text->c_str());
    return kExitOk;
  }
  std::printf("%s profile (%s), created %s by greenroute %s\n", std::string(profile::profile_kind_name(p->kind)).c_str(),
              o.profile.c_str(), p->created_at.c_str(), p->greenroute_version.c_str());
  std::printf("device:  %s%s%s, %d threads, memory %.2f GiB\n", p->device.name.c_str(),
              p->device.accelerator.empty() ? "" : (", " + p->device.accelerator).c_str(),
              p->device.cpu.empty() ? "" : (", " + p->device.cpu).c_str(), p->device.threads,
              static_cast<double>(p->device.memory_bytes) / (1024.0 * 1024.0 * 1024.0));
  std::printf("model:   %s (%s, %s, %.2fB parameters)%s\n", p->model.name.c_str(), p->model.architecture.c_str(),
              p->model.weight_type.c_str(), static_cast<double>(p->model.parameters) / 1e9,
              p->model.synthetic ? " SYNTHETIC weights" : "");
  std::printf("energy:  %s by %s (%s); idle %.2f W\n", p->meter.measured ? "measured" : "ESTIMATED/derived",
              p->meter.name.c_str(), p->meter.sensor.c_str(), p->idle_watts);
  std::printf("knee:    batch %d; best for energy %d, latency %d, throughput %d; memory holds %d sequences%s\n",
              p->knee_batch, p->best_batch.energy, p->best_batch.latency, p->best_batch.throughput,
              p->max_batch_fits,
              p->saturation_batch ? fmt::format("; saturated at batch {}", *p->saturation_batch).c_str() : "");
  std::printf("latency model: %s\nenergy model:  %s\n", model_line(p->latency_model).c_str(),
              model_line(p->energy_model).c_str());
  if (!p->sources.empty()) std::printf("sources: %zu cited (see --json)\n", p->sources.size());
  return kExitOk;
}

int run_predict(const PredictOptions& o) {
  auto p = open_profile(o.profile);
  if (!p.is_ok()) return fail(p.status().message(), kExitUsage);  // the file or name the user gave
  const double latency = p->predict_latency_ms(o.batch, o.prompt_tokens, o.output_tokens);
  const double ttft = p->predict_ttft_ms(o.batch, o.prompt_tokens);
  const double joules = p->predict_energy_j(o.batch, o.prompt_tokens, o.output_tokens);
  const double per_prompt = joules / o.batch;
  nlohmann::json j = {{"batch", o.batch},           {"prompt_tokens", o.prompt_tokens},
                      {"output_tokens", o.output_tokens}, {"latency_ms", latency},
                      {"ttft_ms", ttft},             {"energy_j", joules},
                      {"energy_per_prompt_j", per_prompt}, {"energy_source", p->meter.measured ? "measured" : "estimated"},
                      {"meter", p->meter.name}, {"profile_kind", profile::profile_kind_name(p->kind)}};
  if (o.intensity >= 0) j["grams_co2_per_prompt"] = carbon::grams_co2(per_prompt, o.intensity);
  if (o.json) {
    std::printf("%s\n", j.dump(2).c_str());
    return kExitOk;
  }
  std::printf("batch %d x (%g prompt + %g output tokens): %.0f ms (first token %.0f ms), %.2f J per batch, "
              "%.3f J per prompt%s\n",
              o.batch, o.prompt_tokens, o.output_tokens, latency, ttft, joules, per_prompt,
              o.intensity >= 0 ? fmt::format(", {:.4f} gCO2e per prompt at {} g/kWh", j["grams_co2_per_prompt"].get<double>(),
                                             o.intensity)
                                     .c_str()
                               : "");
  // Every energy figure says where it came from (a model fitted to a meter's
  // readings is only as measured as the meter).
  const std::string provenance = p->kind == profile::ProfileKind::kReference
                                     ? "derived from published figures (reference profile)"
                                     : (p->meter.measured ? "fitted to energy measured by " : "fitted to energy ESTIMATED by ") +
                                           p->meter.name;
  std::printf("energy: %s\n", provenance.c_str());
  if (o.batch > p->max_batch_fits) {
    std::printf("warning: batch %d exceeds the %d sequences this device's memory holds\n", o.batch, p->max_batch_fits);
  }
  return kExitOk;
}

}  // namespace

void register_profile_commands(CLI::App& root, std::vector<Command>& commands) {
  CLI::App* cmd = root.add_subcommand("profile", "Read device profiles (from greenroute bench, or the built-in "
                                                 "reference profiles) and ask them what a batch costs");
  cmd->require_subcommand(1);
  cmd->footer("Exit status: 0 ok, 2 bad flags or a profile that cannot be read or is invalid.");
  const std::string what = "profile.json file, or a reference profile name (jetson-orin-nx-8gb, rtx-2000-ada-16gb)";

  auto show = std::make_shared<ShowOptions>();
  CLI::App* show_cmd = cmd->add_subcommand("show", "Validate a profile and summarise it (--json: the whole file)");
  show_cmd->add_option("profile", show->profile, what)->required();
  show_cmd->add_flag("--json", show->json, "Print the profile as JSON");
  commands.push_back({show_cmd, [show] { return run_show(*show); }});

  auto predict = std::make_shared<PredictOptions>();
  CLI::App* predict_cmd = cmd->add_subcommand("predict", "Predict latency and energy of one batch from a profile");
  predict_cmd->add_option("profile", predict->profile, what)->required();
  predict_cmd->add_option("--batch,-b", predict->batch, "Prompts run together")
      ->capture_default_str()
      ->check(CLI::Range(1, 4096));
  predict_cmd->add_option("--prompt-tokens", predict->prompt_tokens, "Tokens per prompt")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1e7));
  predict_cmd->add_option("--output-tokens", predict->output_tokens, "Tokens generated per prompt")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 1e7));
  predict_cmd->add_option("--intensity", predict->intensity, "Grid intensity, gCO2e/kWh, for carbon per prompt")
      ->check(CLI::NonNegativeNumber);
  predict_cmd->add_flag("--json", predict->json, "Print JSON");
  commands.push_back({predict_cmd, [predict] { return run_predict(*predict); }});
}

}  // namespace greenroute::cli
