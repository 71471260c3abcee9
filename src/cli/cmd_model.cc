// `greenroute model info FILE` and `greenroute model synth`.
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "byte_size.h"
#include "cli_common.h"
#include "greenroute/engine/gguf/gguf_file.h"
#include "greenroute/engine/model/memory_model.h"
#include "greenroute/engine/model/model.h"
#include "greenroute/engine/quant/ggml_type.h"
#include "greenroute/engine/synth/synth.h"
#include "greenroute/engine/vocab/vocab_data.h"

namespace greenroute::cli {

namespace {

namespace gguf = engine::gguf;
namespace model = engine::model;
namespace quant = engine::quant;

struct InfoOptions {
  std::string path;
  bool json = false;
  std::int64_t ctx = 0;
  std::string memory_limit;
};

struct TypeTotals {
  int tensors = 0;
  std::uint64_t bytes = 0;
  std::uint64_t elements = 0;
};

std::string metadata_string(const gguf::GgufFile& f, const char* key, const std::string& fallback = "-") {
  auto r = f.get_string(key);
  return r.is_ok() ? *r : fallback;
}

int run_info(const InfoOptions& o) {
  std::uint64_t limit = 0;
  if (!o.memory_limit.empty()) {
    auto l = parse_byte_size(o.memory_limit);
    if (!l.is_ok()) return fail(l.status());
    limit = *l;
  }
  auto file_r = gguf::GgufFile::open(o.path);
  if (!file_r.is_ok()) return fail(file_r.status());
  const gguf::GgufFile& f = **file_r;

  std::map<std::string, TypeTotals> by_type;
  std::uint64_t n_params = 0, tensor_bytes = 0;
  for (const auto& t : f.tensors()) {
    auto& tt = by_type[std::string(quant::type_name(t.type))];
    ++tt.tensors;
    tt.bytes += t.n_bytes;
    tt.elements += t.n_elements;
    n_params += t.n_elements;
    tensor_bytes += t.n_bytes;
  }

  // What the file itself says, gathered before the model loader takes it over.
  nlohmann::json j;
  j["path"] = o.path;
  j["gguf_version"] = f.version();
  j["file_bytes"] = f.file_size();
  j["architecture"] = metadata_string(f, "general.architecture");
  j["name"] = metadata_string(f, "general.name");
  auto synthetic = f.get_bool("general.synthetic");
  j["synthetic"] = synthetic.is_ok() && *synthetic;
  j["parameters"] = n_params;
  j["tensor_count"] = f.tensors().size();
  j["tensor_bytes"] = tensor_bytes;
  for (const auto& [name, tt] : by_type) {
    j["tensor_types"][name] = {{"tensors", tt.tensors}, {"bytes", tt.bytes}, {"elements", tt.elements}};
  }
  auto tok = f.get_string("tokenizer.ggml.model");
  if (tok.is_ok()) {
    j["tokenizer"]["model"] = *tok;
    j["tokenizer"]["pre"] = metadata_string(f, "tokenizer.ggml.pre", "");
    auto tokens = f.get_array("tokenizer.ggml.tokens");
    if (tokens.is_ok()) j["tokenizer"]["vocab_size"] = (*tokens)->size();
  }
  const bool no_tensors = f.tensors().empty();

  // The model may not be runnable (vocab-only files, other architectures):
  // info still describes the file and says why.
  auto model_r = model::Model::from_file(std::move(file_r).value());

  if (model_r.is_ok()) {
    const model::Model& m = **model_r;
    const model::ModelConfig& c = m.config();
    j["runnable"] = true;
    j["hparams"] = {{"n_vocab", c.n_vocab},       {"n_ctx_train", c.n_ctx_train}, {"n_embd", c.n_embd},
                    {"n_layer", c.n_layer},       {"n_head", c.n_head},           {"n_head_kv", c.n_head_kv},
                    {"head_dim", c.head_dim},     {"n_ff", c.n_ff},               {"rope_freq_base", c.rope_freq_base},
                    {"rms_eps", c.rms_eps},       {"tied_output", c.tied_output}, {"attn_bias", c.attn_bias}};
    model::MemoryParams mp;
    mp.n_ctx = o.ctx > 0 ? o.ctx : std::min<std::int64_t>(c.n_ctx_train, 4096);
    const model::MemoryModel mm = m.memory_model(mp);
    j["memory"] = {{"weights_bytes", mm.weight_bytes},
                   {"kv_bytes_per_token_f16", mm.kv_bytes_per_token},
                   {"compute_bytes", mm.compute_bytes()},
                   {"context", mp.n_ctx},
                   {"one_full_sequence_bytes", mm.bytes_for(1, mp.n_ctx)}};
    if (limit > 0) {
      j["memory"]["limit_bytes"] = limit;
      j["memory"]["max_full_sequences_in_limit"] = mm.max_sequences(limit, mp.n_ctx);
    }
  } else {
    j["runnable"] = false;
    j["not_runnable_because"] = no_tensors
                                    ? std::string("the file holds no tensors (a vocabulary-only file)")
                                    : model_r.status().message();
  }

  if (o.json) {
    std::printf("%s\n", j.dump(2).c_str());
    return kExitOk;
  }

  fmt::print("file          {} (GGUF v{}, {})\n", o.path, j["gguf_version"].get<std::uint32_t>(),
             model::format_bytes(j["file_bytes"].get<std::uint64_t>()));
  fmt::print("model         {} ({}){}\n", j["name"].get<std::string>(), j["architecture"].get<std::string>(),
             j["synthetic"].get<bool>() ? ", SYNTHETIC: random weights, the text means nothing" : "");
  fmt::print("parameters    {:.1f} M in {} tensors ({})\n", static_cast<double>(n_params) / 1e6, j["tensor_count"].get<std::size_t>(),
             model::format_bytes(tensor_bytes));
  if (j.contains("tokenizer")) {
    fmt::print("tokenizer     {}{}, {} tokens\n", j["tokenizer"]["model"].get<std::string>(),
               j["tokenizer"]["pre"].get<std::string>().empty() ? "" : " / " + j["tokenizer"]["pre"].get<std::string>(),
               j["tokenizer"].value("vocab_size", std::size_t{0}));
  }
  fmt::print("tensor types\n");
  for (const auto& [name, tt] : by_type) {
    fmt::print("  {:<8} {:>4} tensors  {:>12}\n", name, tt.tensors, model::format_bytes(tt.bytes));
  }
  if (model_r.is_ok()) {
    const auto& h = j["hparams"];
    fmt::print("shape         {} layers, embd {}, ff {}, heads {} (kv {}, dim {}), vocab {}, ctx {}\n",
               h["n_layer"].get<std::int64_t>(), h["n_embd"].get<std::int64_t>(), h["n_ff"].get<std::int64_t>(),
               h["n_head"].get<std::int64_t>(), h["n_head_kv"].get<std::int64_t>(),
               h["head_dim"].get<std::int64_t>(), h["n_vocab"].get<std::int64_t>(),
               h["n_ctx_train"].get<std::int64_t>());
    const auto& mem = j["memory"];
    fmt::print("memory        weights {} + KV {} per token per sequence (f16) + compute {}\n",
               model::format_bytes(mem["weights_bytes"].get<std::uint64_t>()),
               model::format_bytes(mem["kv_bytes_per_token_f16"].get<std::uint64_t>()),
               model::format_bytes(mem["compute_bytes"].get<std::uint64_t>()));
    fmt::print("              one sequence of {} tokens needs {}\n", mem["context"].get<std::int64_t>(),
               model::format_bytes(mem["one_full_sequence_bytes"].get<std::uint64_t>()));
    if (limit > 0) {
      fmt::print("              {} such sequences fit in {}\n", mem["max_full_sequences_in_limit"].get<int>(),
                 model::format_bytes(limit));
    }
  } else {
    fmt::print("runnable      no: {}\n", j["not_runnable_because"].get<std::string>());
  }
  return kExitOk;
}

struct SynthCliOptions {
  std::string preset = "tiny";
  std::string type = "q8_0";
  std::uint64_t seed = 0;
  std::uint32_t layers = 0;
  std::uint32_t ctx = 0;
  int threads = 0;
  std::string out;
  bool force = false;
};

int run_synth(const SynthCliOptions& o) {
  if (engine::synth::find_synth_preset(o.preset) == nullptr) {
    std::string names;
    for (const auto& p : engine::synth::synth_presets()) names += (names.empty() ? "" : ", ") + std::string(p.name);
    return fail("unknown preset '" + o.preset + "' (presets: " + names + ")", kExitUsage);
  }
  engine::synth::SynthOptions s;
  s.preset = o.preset;
  auto type = quant::parse_type_name(o.type);
  if (!type) return fail("unknown weight type '" + o.type + "' (use f32, f16, bf16, q8_0, q4_0, q4_k or q6_k)", kExitUsage);
  s.weight_type = *type;
  s.seed = o.seed;
  if (o.layers > 0) s.n_layer = o.layers;
  if (o.ctx > 0) s.n_ctx = o.ctx;
  s.n_threads = o.threads;
  std::error_code ec;
  if (!o.force && std::filesystem::exists(o.out, ec)) {
    return fail(o.out + " already exists (use --force to overwrite)", kExitUsage);
  }
  core::Status st = engine::synth::write_synthetic_model(s, o.out);
  if (!st.is_ok()) return fail(st);
  std::uintmax_t size = std::filesystem::file_size(o.out, ec);
  fmt::print("wrote {} ({}, preset {}, {} weights, seed {}): synthetic random weights\n", o.out,
             model::format_bytes(ec ? 0 : static_cast<std::uint64_t>(size)), o.preset, quant::type_name(*type), o.seed);
  return kExitOk;
}

}  // namespace

void register_model_commands(CLI::App& root, std::vector<Command>& commands) {
  CLI::App* model_cmd = root.add_subcommand("model", "Inspect GGUF models and create synthetic ones");
  model_cmd->require_subcommand(1);

  auto info = std::make_shared<InfoOptions>();
  CLI::App* info_cmd = model_cmd->add_subcommand(
      "info", "Describe a GGUF file: architecture, shape, tokenizer, tensor types, memory needed");
  info_cmd->add_option("file", info->path, "GGUF model file")->required();
  info_cmd->add_flag("--json", info->json, "Print one JSON object");
  info_cmd->add_option("--ctx", info->ctx, "Context length for the memory figures (default: min(training context, 4096))")
      ->check(CLI::PositiveNumber);
  info_cmd->add_option("--memory-limit", info->memory_limit,
                       "Also say how many full-context sequences fit in this many bytes (e.g. 8GiB)");
  commands.push_back({info_cmd, [info] { return run_info(*info); }});

  auto synth = std::make_shared<SynthCliOptions>();
  CLI::App* synth_cmd = model_cmd->add_subcommand(
      "synth", "Write a GGUF model with seeded random weights and the shape of a real model");
  synth_cmd->footer(
      "The file is llama.cpp-compatible, so benchmarks see realistic compute and memory cost with no\n"
      "download; its metadata says it is synthetic (general.synthetic = true). Presets:\n" +
      engine::synth::describe_synth_presets());
  synth_cmd->add_option("--preset", synth->preset, "Model shape")->capture_default_str();
  synth_cmd->add_option("--type", synth->type, "Weight type: f32, f16, bf16, q8_0, q4_0, q4_k, q6_k")->capture_default_str();
  synth_cmd->add_option("--seed", synth->seed, "Random seed (the same seed gives the same file)")->capture_default_str();
  synth_cmd->add_option("--layers", synth->layers, "Override the number of layers")->check(CLI::PositiveNumber);
  synth_cmd->add_option("--ctx", synth->ctx, "Override the training context length")->check(CLI::PositiveNumber);
  synth_cmd->add_option("--threads", synth->threads, "Threads (default: all cores)")->check(CLI::NonNegativeNumber);
  synth_cmd->add_option("--out,-o", synth->out, "Output file")->required();
  synth_cmd->add_flag("--force", synth->force, "Overwrite an existing file");
  commands.push_back({synth_cmd, [synth] { return run_synth(*synth); }});
}

}  // namespace greenroute::cli
