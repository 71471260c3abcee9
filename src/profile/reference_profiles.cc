// Reference profiles derived from published specifications. Every figure is
// either published (a source id in brackets) or assumed/derived (said so);
// docs/profile.md has the same table. The derivation, for a model whose
// decode streams all its weights once per step:
//
//   per_step_ms          = weight_bytes / (bandwidth * bw_efficiency)
//   compute_ms_per_token = 2 * parameters / (fp16_tensor_dense * compute_efficiency)
//   per_prefill_token_ms = compute_ms_per_token
//   per_sequence_step_ms = kv_bytes_per_token * kContextTokens / (bandwidth * bw_efficiency)
//                          + compute_ms_per_token
//   energy terms         = the power drawn during that kind of work * its time
//                          (fixed: idle W; per_step: weight-streaming W;
//                          prefill and per-sequence: compute-bound W)
//
// Coefficients are rounded to 4 significant figures: the inputs are not
// known better, and round numbers keep the shipped JSON stable across
// compilers.
#include "greenroute/profile/reference_profiles.h"

#include <algorithm>
#include <cmath>
#include <system_error>
#include <utility>

#include "greenroute/core/units.h"
#include "greenroute/profile/knee.h"
#include "greenroute/profile/profile_json.h"

namespace greenroute::profile {
namespace {

// When the derivation was made; fixed so the shipped files are reproducible.
constexpr const char* kCreatedAt = "2026-11-24T00:00:00Z";

// The model: Llama-3.2-1B-Instruct, Q4_K_M GGUF [M1], shape from [M2].
constexpr std::uint64_t kWeightBytes = 807694464;  // [M1]
constexpr std::uint64_t kParameters = 1235814400;  // derived from [M2]'s shape (tied embeddings)
// layers * (K, V) * KV heads * head dim * 2 bytes (F16 cache), from [M2].
constexpr double kKvBytesPerToken = 16 * 2 * 8 * 64 * 2;
constexpr std::uint64_t kScratchBytes = 512 * core::kMiB;  // assumed: compute buffers

// The grid the sweep table is evaluated on, and the context length used for
// the per-sequence KV read (prompt + half the mean of the outputs): assumed.
constexpr int kGridBatches[] = {1, 2, 4, 8, 16, 32, 64};
constexpr int kGridMaxTokens[] = {64, 256};
constexpr double kPromptTokens = 256;
constexpr double kContextTokens = 320;

struct Spec {
  const char* name;
  DeviceInfo device;
  MeterInfo meter;
  double bandwidth_gb_s;          // published
  double bw_efficiency;           // assumed
  double fp16_dense_tflops;       // derived from published tensor throughput
  double compute_efficiency;      // assumed
  double fixed_ms;                // assumed: per-batch overhead outside the GPU
  double idle_w;                  // assumed
  double stream_w;                // assumed: while streaming weights (decode steps)
  double compute_w;               // assumed: compute-bound (prefill, per-sequence work)
  double usable_memory_fraction;  // assumed
  std::vector<Source> sources;
  const char* notes;
};

const std::vector<Source>& model_sources() {
  static const std::vector<Source> kSources = {
      {"M1",
       "bartowski/Llama-3.2-1B-Instruct-GGUF: Llama-3.2-1B-Instruct-Q4_K_M.gguf "
       "(808 MB; LFS pointer size 807694464, sha256 6f85a640...)",
       "https://huggingface.co/bartowski/Llama-3.2-1B-Instruct-GGUF/blob/"
       "d52af3776f99ddf220e5ffd3f93b2a4e4df105be/Llama-3.2-1B-Instruct-Q4_K_M.gguf",
       "model.file_bytes; weight bytes read per decode step"},
      {"M2",
       "Llama-3.2-1B config.json (copy of meta-llama/Llama-3.2-1B): 16 layers, hidden 2048, "
       "32 heads, 8 KV heads, head_dim 64, FFN 8192, vocab 128256, tied embeddings",
       "https://huggingface.co/Emm9625/Llama-3.2-1B-chatml/blob/main/config.json",
       "model.parameters (derived: 1,235,814,400); KV bytes per token (derived: 32768 at F16)"},
  };
  return kSources;
}

Spec jetson_orin_nx_8gb() {
  Spec s;
  s.name = "jetson-orin-nx-8gb";
  s.device = {"jetson-orin-nx-8gb",
              "NVIDIA Jetson Orin NX 8GB: Ampere GPU, 1024 CUDA cores, 32 Tensor cores, up to "
              "765 MHz; 8 GB 128-bit LPDDR5 shared with the CPU",
              "6-core Arm Cortex-A78AE v8.2, up to 2 GHz", 6, 8 * core::kGiB};
  s.meter = {"none", false,
             "derived, not metered; scope: module input power (VDD_IN), nvpmodel 20 W mode"};
  s.bandwidth_gb_s = 102.4;
  s.bw_efficiency = 0.5;
  s.fp16_dense_tflops = 12.5;
  s.compute_efficiency = 0.25;
  s.fixed_ms = 10;
  s.idle_w = 5;
  s.stream_w = 10;
  s.compute_w = 18;
  s.usable_memory_fraction = 0.75;
  s.sources = {
      {"J1", "NVIDIA Jetson Orin NX Series Modules Data Sheet, DS-10712-001 v1.5 (December 2024)",
       "",
       "8GB: 1024 CUDA / 32 Tensor cores at up to 765 MHz; 6 CPU cores at 2 GHz; 128-bit "
       "LPDDR5, 102 GB/s peak; 70 sparse / 35 dense INT8 TOPS (module); 1 DLA, 20 sparse INT8 "
       "TOPS; power modes 10/15/20 W"},
      {"J2", "Seeed Studio wiki, reComputer J30/40 specifications (Jetson Orin NX 8GB column)",
       "https://wiki.seeedstudio.com/reComputer_J30/40_with_Jetson_getting_start/",
       "memory 8GB 128-bit LPDDR5 102.4 GB/s; 70 TOPS; GPU max 765 MHz"},
  };
  s.notes =
      "REFERENCE profile: derived from published specifications, not measured. "
      "Published: memory bandwidth 102.4 GB/s [J2] (102 GB/s [J1]); 8 GB LPDDR5 [J1,J2]; 70 "
      "sparse INT8 TOPS for the module, of which 20 are the DLA [J1]; power modes 10/15/20 W "
      "[J1]. Derived: GPU dense FP16 tensor throughput 12.5 TFLOPS = (70 - 20) sparse INT8 TOPS "
      "/ 2 (dense) / 2 (FP16 runs at half the INT8 rate on Ampere tensor cores). "
      "Assumed: decode reaches 50% of peak bandwidth (llama.cpp-class CUDA kernels on LPDDR5); "
      "prefill and per-sequence compute reach 25% of dense FP16 tensor peak; 10 ms per-batch "
      "overhead on the CPU; 20 W mode; idle 5 W, 10 W while streaming weights, 18 W when "
      "compute-bound (module input); 75% of the 8 GB usable by the model and its KV cache (the "
      "rest is the OS and CUDA, sharing the same memory).";
  return s;
}

Spec rtx_2000_ada_16gb() {
  Spec s;
  s.name = "rtx-2000-ada-16gb";
  s.device = {"rtx-2000-ada-16gb",
              "NVIDIA RTX 2000 Ada Generation: 2816 CUDA cores, 88 Tensor cores, 16 GB GDDR6 "
              "128-bit, PCIe 4.0 x8",
              "host CPU not specified (outside the energy figures)", 0, 16 * core::kGiB};
  s.meter = {"none", false,
             "derived, not metered; scope: board power (what NVML reports), host excluded"};
  s.bandwidth_gb_s = 224;
  s.bw_efficiency = 0.7;
  s.fp16_dense_tflops = 191.9 / 4;
  s.compute_efficiency = 0.25;
  s.fixed_ms = 4;
  s.idle_w = 8;
  s.stream_w = 45;
  s.compute_w = 65;
  s.usable_memory_fraction = 0.9;
  s.sources = {
      {"R1", "IT Creations, NVIDIA RTX 2000 Ada Generation GPU (specification table)",
       "https://www.itcreations.com/nvidia-gpu/nvidia-rtx-2000-ada-gpu",
       "16 GB GDDR6, 128-bit, 224 GB/s; 2816 CUDA / 88 Tensor cores; 12.0 FP32 TFLOPS; "
       "191.9 Tensor TFLOPS; total board power 70 W"},
      {"R2",
       "Svet hardwaru: Profesionalni Nvidia RTX 2000 Ada prinasi 16GB VRAM a 70W spotrebu "
       "(February 2024)",
       "https://www.svethardware.cz/"
       "profesionalni-nvidia-rtx-2000-ada-prinasi-16gb-vram-a-70w-spotrebu/60415",
       "224 GB/s; 70 W TBP; 191.9 Tensor TFLOPS (confirms R1)"},
  };
  s.notes =
      "REFERENCE profile: derived from published specifications, not measured. "
      "Published: 16 GB GDDR6 at 224 GB/s, 191.9 tensor TFLOPS, 70 W total board power "
      "[R1,R2]. Derived: dense FP16 tensor throughput 47.975 TFLOPS = 191.9 / 4, assuming the "
      "published figure is FP8 with 2:4 sparsity (NVIDIA's convention for Ada; not stated in "
      "the sources). Assumed: decode reaches 70% of peak bandwidth; prefill and per-sequence "
      "compute reach 25% of dense FP16 tensor peak; 4 ms per-batch overhead on the host; idle "
      "8 W, 45 W while streaming weights, 65 W when compute-bound (board only: the host's power "
      "is not included, so compare with device-only meters); 90% of the 16 GB usable.";
  return s;
}

std::vector<Spec> specs() {
  return {jetson_orin_nx_8gb(), rtx_2000_ada_16gb()};
}

// x rounded to `digits` significant figures, exactly as the decimal prints.
double round_sig(double x, int digits) {
  if (x == 0 || !std::isfinite(x)) return x;
  const int exponent = static_cast<int>(std::floor(std::log10(std::abs(x))));
  const int shift = digits - 1 - exponent;
  if (shift >= 0) {
    const double scale = std::pow(10.0, shift);
    return std::round(x * scale) / scale;
  }
  const double scale = std::pow(10.0, -shift);
  return std::round(x / scale) * scale;
}

SweepPoint evaluate_point(const DeviceProfile& p, int batch, int max_tokens,
                          std::uint64_t budget_bytes) {
  SweepPoint s;
  s.batch_size = batch;
  s.max_tokens = max_tokens;
  s.repeats = 0;
  const double n = max_tokens;
  const double bytes = static_cast<double>(kWeightBytes + kScratchBytes) +
                       batch * kKvBytesPerToken * (kPromptTokens + n);
  s.predicted_bytes = static_cast<std::uint64_t>(bytes);
  if (s.predicted_bytes > budget_bytes) {
    s.saturated = true;
    s.note = "derived: exceeds the assumed usable memory";
    return s;
  }
  const double latency = p.predict_latency_ms(batch, kPromptTokens, n);
  const double energy = p.predict_energy_j(batch, kPromptTokens, n);
  auto r = [](double v) { return round_sig(v, 6); };
  s.mean_prompt_tokens = kPromptTokens;
  s.mean_output_tokens = n;
  s.latency_ms = Spread{r(latency), r(latency), r(latency)};
  s.prompt_latency_ms = r(latency);  // the batch's prompts finish together
  s.ttft_ms = r(p.predict_ttft_ms(batch, kPromptTokens));
  s.throughput_tokens_per_s = r(batch * n / (latency / 1000.0));
  const double jpp = r(energy / batch);
  s.joules_per_prompt = Spread{jpp, jpp, jpp};
  s.joules_per_output_token = r(energy / (batch * n));
  s.mean_watts = r(energy / (latency / 1000.0));
  s.peak_watts = s.mean_watts;  // a derivation knows only the mean
  return s;
}

core::Result<DeviceProfile> derive(const Spec& spec) {
  const double bw_bytes_per_ms = spec.bandwidth_gb_s * 1e9 * spec.bw_efficiency / 1000.0;
  const double flops_per_ms = spec.fp16_dense_tflops * 1e12 * spec.compute_efficiency / 1000.0;
  const double step_ms = static_cast<double>(kWeightBytes) / bw_bytes_per_ms;
  const double compute_ms = 2.0 * static_cast<double>(kParameters) / flops_per_ms;
  const double per_seq_ms = kKvBytesPerToken * kContextTokens / bw_bytes_per_ms + compute_ms;
  auto r4 = [](double v) { return round_sig(v, 4); };

  DeviceProfile p;
  p.kind = ProfileKind::kReference;
  p.created_at = kCreatedAt;
  p.greenroute_version = std::string(greenroute_version());
  p.device = spec.device;
  p.model = {"Llama-3.2-1B-Instruct",
             "llama",
             kParameters,
             "Q4_K_M",
             "Llama-3.2-1B-Instruct-Q4_K_M.gguf",
             kWeightBytes,
             false};
  p.meter = spec.meter;
  p.idle_watts = spec.idle_w;
  // Term order: fixed, per prefill token, per step, per sequence step.
  p.latency_model =
      analytic_model(kAllTerms, {r4(spec.fixed_ms), r4(compute_ms), r4(step_ms), r4(per_seq_ms)});
  p.energy_model = analytic_model(
      kAllTerms,
      {r4(spec.idle_w * spec.fixed_ms / 1000.0), r4(spec.compute_w * compute_ms / 1000.0),
       r4(spec.stream_w * step_ms / 1000.0), r4(spec.compute_w * per_seq_ms / 1000.0)});
  p.ttft_model = analytic_model(kTtftTerms, {r4(spec.fixed_ms), r4(compute_ms), 0, 0});

  const auto budget = static_cast<std::uint64_t>(static_cast<double>(spec.device.memory_bytes) *
                                                 spec.usable_memory_fraction);
  for (int b : kGridBatches) {
    for (int n : kGridMaxTokens) p.sweep.push_back(evaluate_point(p, b, n, budget));
  }
  const double per_seq_bytes =
      kKvBytesPerToken * (kPromptTokens + kGridMaxTokens[std::size(kGridMaxTokens) - 1]);
  const double room =
      static_cast<double>(budget) - static_cast<double>(kWeightBytes + kScratchBytes);
  p.max_batch_fits = std::max(1, static_cast<int>(std::floor(room / per_seq_bytes)));

  GR_ASSIGN_OR_RETURN(const KneeResult knee, find_knee(batch_curve(p.sweep), KneeOptions{}));
  p.knee_batch = knee.knee_batch;
  p.best_batch = knee.best;
  p.saturation_batch = knee.saturation_batch;
  p.sources = spec.sources;
  for (const Source& s : model_sources()) p.sources.push_back(s);
  p.notes = std::string(spec.notes) +
            " Model: Llama-3.2-1B-Instruct Q4_K_M [M1,M2], the Llama-3.2-1B shape greenroute's own "
            "benchmarks use (docs/benchmarks.md); 0.81 GB of weights fits both devices with room "
            "for large batches. Derivation: per_step = weight bytes / effective bandwidth; per "
            "prefill token = 2 x parameters / effective FP16 throughput; per sequence step = KV "
            "read at 320 tokens of context (32 KiB per token) + the same compute; each energy "
            "term = the power of that kind of work x its time. Coefficients rounded to 4 "
            "significant figures. The sweep table is evaluated from these models (repeats 0) at "
            "256 prompt tokens; max_batch_fits counts sequences of 512 tokens in the usable "
            "memory after weights and 512 MiB of compute buffers. Embodied carbon: no published "
            "figure found; left null.";
  GR_RETURN_IF_ERROR(validate_profile(p));
  return p;
}

}  // namespace

std::vector<std::string> reference_profile_names() {
  std::vector<std::string> names;
  for (const Spec& s : specs()) names.emplace_back(s.name);
  return names;
}

core::Result<DeviceProfile> reference_profile(std::string_view name) {
  for (const Spec& s : specs()) {
    if (name == s.name) return derive(s);
  }
  std::string known;
  for (const std::string& n : reference_profile_names()) known += (known.empty() ? "" : ", ") + n;
  return core::not_found("no reference profile named '" + std::string(name) + "' (known: " + known +
                         ")");
}

core::Status write_reference_profiles(const std::filesystem::path& dir) {
  for (const std::string& name : reference_profile_names()) {
    GR_ASSIGN_OR_RETURN(const DeviceProfile p, reference_profile(name));
    GR_RETURN_IF_ERROR(save_profile(p, (dir / (name + ".json")).string()));
  }
  return core::Status::ok();
}

core::Result<OpenedProfile> open_profile(std::string_view path_or_name,
                                         const std::filesystem::path& base_dir) {
  namespace fs = std::filesystem;
  fs::path file(path_or_name);
  if (file.is_relative() && !base_dir.empty()) file = base_dir / file;
  std::error_code ec;
  if (!path_or_name.empty() && fs::exists(file, ec) && !fs::is_directory(file, ec)) {
    GR_ASSIGN_OR_RETURN(DeviceProfile p, load_profile(file.string()));
    return OpenedProfile{std::move(p), std::move(file)};
  }
  for (const std::string& name : reference_profile_names()) {
    if (name == path_or_name) {
      GR_ASSIGN_OR_RETURN(DeviceProfile p, reference_profile(name));
      return OpenedProfile{std::move(p), {}};
    }
  }
  std::string names;
  for (const std::string& n : reference_profile_names()) names += (names.empty() ? "" : ", ") + n;
  return core::not_found("no profile file '" + file.string() +
                         "' and no reference profile of that name (reference: " + names + ")");
}

}  // namespace greenroute::profile
