// Runs llama.cpp (tests/parity/reference.mjs under node) on one GGUF file and
// parses what it computed, for the parity tests.
//
// The reference is an external program: when node or node-llama-cpp is not
// installed the runner says so (ReferenceRun::skip_reason) and the tests skip
// rather than fail, as they do for missing real data.
//
// Thread contract: functions are reentrant (each call uses its own temp files).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace greenroute::parity {

// One text to tokenize, with llama.cpp's tokenize flags.
struct TextQuery {
  std::string text;
  bool add_special = false;
  bool parse_special = false;
};

// One prompt to evaluate: either token ids or a text llama.cpp tokenizes.
struct PromptQuery {
  std::vector<std::int32_t> tokens;  // used when non-empty
  TextQuery text;
};

struct ReferenceSpec {
  std::filesystem::path model;
  bool vocab_only = false;
  int threads = 1;
  std::vector<TextQuery> texts;
  std::vector<PromptQuery> prompts;
  int n_greedy = 0;
  bool step_logits = false;  // the logits at every greedy step too
};

struct ReferenceText {
  std::vector<std::int32_t> tokens;
  std::string detokenized;
};

struct ReferencePrompt {
  std::vector<std::int32_t> tokens;           // the prompt as llama.cpp evaluated it
  std::vector<double> logits;                 // n_vocab raw logits after the prompt
  std::vector<double> probs;                  // llama.cpp's distribution (temperature 0)
  std::vector<std::int32_t> greedy;           // greedy continuation (ends early at EOG)
  std::vector<double> greedy_margins;         // top-1 minus top-2 logit before each greedy token
  std::vector<std::vector<double>> greedy_logits;  // per greedy step, when asked for
};

struct ReferenceResult {
  std::int64_t n_vocab = 0;
  std::vector<ReferenceText> texts;
  std::vector<ReferencePrompt> prompts;
};

struct ReferenceRun {
  std::optional<ReferenceResult> result;
  std::string skip_reason;  // non-empty: the reference cannot run here
  std::string error;        // non-empty: it ran and failed (stderr included)
};

// Runs the reference for `spec`, using `work_dir` for the spec/result files.
ReferenceRun run_reference(const ReferenceSpec& spec, const std::filesystem::path& work_dir);

}  // namespace greenroute::parity
