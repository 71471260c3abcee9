// DeviceProfile: what greenroute knows about one device running one model,
// in the form the router and the simulator consume: identity, memory, idle
// power, the sweep summary a benchmark produced, fitted cost models for
// latency, energy and TTFT, the energy-efficiency knee and memory limits.
// Stored as profile.json (schema "greenroute.profile", version 1; see
// profile_json.h and docs/profile.md).
//
// A profile is "measured" (built by `greenroute bench` from RunMeasurements,
// see builder.h) or "reference" (derived from published specifications, see
// reference_profiles.h), and says so.
//
// Thread contract: a plain value; const methods are thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "greenroute/carbon/accounting.h"
#include "greenroute/core/status.h"
#include "greenroute/profile/fit.h"

namespace greenroute::profile {

inline constexpr std::string_view kSchemaId = "greenroute.profile";
inline constexpr int kSchemaVersion = 1;

// The greenroute version that writes profiles ("0.1.0").
std::string_view greenroute_version();

enum class ProfileKind { kMeasured, kReference };

struct DeviceInfo {
  std::string name;                // "jetson-orin-nx-8gb", or a host name
  std::string accelerator;         // GPU/NPU description; "" for CPU-only devices
  std::string cpu;                 // CPU description
  int threads = 0;                 // engine threads used; 0 when not applicable
  std::uint64_t memory_bytes = 0;  // memory the model and KV cache live in
};

struct ModelInfo {
  std::string name;          // "Llama-3.2-1B-Instruct"
  std::string architecture;  // "llama"
  std::uint64_t parameters = 0;
  std::string weight_type;  // "Q4_K_M", "Q8_0", ...
  std::string file;         // file name, no directories
  std::uint64_t file_bytes = 0;
  bool synthetic = false;  // random weights of a real shape (model synth)
};

struct MeterInfo {
  std::string name;       // "nvml", "jetson-ina3221", "rapl", "cpu-estimate", "none"
  bool measured = false;  // false: energy estimated (or, for reference profiles, derived)
  std::string sensor;     // what it reads, e.g. "VDD_IN (module input)"
};

// Median with the range it came from (min and max of the repeats: with 3-5
// repeats, quartiles would be interpolation artefacts).
struct Spread {
  double median = 0;
  double min = 0;
  double max = 0;
};

// One (batch size, max_tokens) point of the sweep: medians over its repeats.
struct SweepPoint {
  int batch_size = 0;
  int max_tokens = 0;
  int repeats = 0;         // rows summarised; 0 for derived (reference) points
  bool saturated = false;  // a repeat was refused or ran out of memory
  double mean_prompt_tokens = 0;
  double mean_output_tokens = 0;
  Spread latency_ms;             // the batch, first submit to last token
  double prompt_latency_ms = 0;  // per prompt, submission to its last token
  double ttft_ms = 0;
  double throughput_tokens_per_s = 0;
  Spread joules_per_prompt;
  double joules_per_output_token = 0;
  double mean_watts = 0;
  double peak_watts = 0;
  std::uint64_t predicted_bytes = 0;  // max over repeats (memory planning wants the worst)
  std::uint64_t peak_rss_bytes = 0;   // max over repeats; 0 when unknown
  std::string note;                   // why it saturated, if it did
};

// Preferred batch sizes among unsaturated ones (knee.h).
struct BestBatches {
  int energy = 1;      // least joules per prompt
  int latency = 1;     // least median per-prompt latency
  int throughput = 1;  // most output tokens per second
};

// A citation for a figure in the profile.
struct Source {
  std::string id;  // "S1"; notes refer to it
  std::string title;
  std::string url;       // "" when cited by document number only
  std::string used_for;  // which figures it supports
};

struct DeviceProfile {
  ProfileKind kind = ProfileKind::kMeasured;
  std::string created_at;  // ISO-8601 UTC, "2026-11-24T20:27:04Z"
  std::string greenroute_version;
  DeviceInfo device;
  ModelInfo model;
  MeterInfo meter;
  double idle_watts = 0;
  std::vector<SweepPoint> sweep;        // sorted by (batch_size, max_tokens)
  CostModel latency_model;              // ms for the whole batch
  CostModel energy_model;               // J for the whole batch, idle draw included
  CostModel ttft_model;                 // ms, terms kTtftTerms
  int knee_batch = 1;                   // energy-efficiency knee (knee.h)
  std::optional<int> saturation_batch;  // smallest saturated batch size; none seen: nullopt
  int max_batch_fits = 1;               // most sequences memory holds (builder.h)
  BestBatches best_batch;
  std::optional<carbon::EmbodiedCarbon> embodied;
  std::vector<Source> sources;
  std::string notes;

  // Latency of `batch` prompts of `prompt_tokens` tokens each generating
  // `output_tokens` tokens each, run together.
  double predict_latency_ms(int batch, double prompt_tokens, double output_tokens) const {
    return latency_model.predict(batch, prompt_tokens, output_tokens);
  }
  // Device energy over that batch (J), idle draw included.
  double predict_energy_j(int batch, double prompt_tokens, double output_tokens) const {
    return energy_model.predict(batch, prompt_tokens, output_tokens);
  }
  double predict_energy_per_prompt_j(int batch, double prompt_tokens, double output_tokens) const;
  double predict_ttft_ms(int batch, double prompt_tokens) const;
  // Embodied gCO2e attributed to `duration_s` of use (0 when unknown).
  double embodied_grams(double duration_s) const;
};

// "measured", "reference".
std::string_view profile_kind_name(ProfileKind kind);

// Checks every field's range and the cross-field rules of docs/profile.md.
// kInvalidArgument naming the field by its JSON path:
// "latency_model.coefficients.per_step_ms: must be >= 0 (is -1)".
core::Status validate_profile(const DeviceProfile& profile);

}  // namespace greenroute::profile
