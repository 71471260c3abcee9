#include "parity/reference_runner.h"

#include <cstdlib>
#include <limits>
#include <fstream>
#include <sstream>
#include <sys/wait.h>

#include "support/test_files.h"

namespace greenroute::parity {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Set by tests/parity/CMakeLists.txt: node found at configure time (empty if
// none) and this folder, which holds reference.mjs and node_modules.
constexpr const char* kNode = GREENROUTE_NODE_EXECUTABLE;
constexpr const char* kParityDir = GREENROUTE_PARITY_DIR;

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

json text_json(const TextQuery& t) {
  return json{{"text", t.text}, {"add_special", t.add_special}, {"parse_special", t.parse_special}};
}

json spec_json(const ReferenceSpec& spec) {
  json j{{"model", spec.model.string()},
         {"vocab_only", spec.vocab_only},
         {"threads", spec.threads},
         {"n_greedy", spec.n_greedy},
         {"step_logits", spec.step_logits},
         {"texts", json::array()},
         {"prompts", json::array()}};
  for (const TextQuery& t : spec.texts) j["texts"].push_back(text_json(t));
  for (const PromptQuery& p : spec.prompts) {
    j["prompts"].push_back(p.tokens.empty() ? text_json(p.text) : json{{"tokens", p.tokens}});
  }
  return j;
}

// JSON null stands for a logit llama.cpp did not produce (-inf).
std::vector<double> doubles(const json& j) {
  std::vector<double> out;
  out.reserve(j.size());
  for (const json& v : j) out.push_back(v.is_null() ? -std::numeric_limits<double>::infinity() : v.get<double>());
  return out;
}

ReferenceResult parse_result(const json& j) {
  ReferenceResult r;
  r.n_vocab = j.value("n_vocab", json()).is_null() ? 0 : j["n_vocab"].get<std::int64_t>();
  for (const json& t : j.at("texts")) {
    r.texts.push_back({t.at("tokens").get<std::vector<std::int32_t>>(), t.at("detokenized").get<std::string>()});
  }
  for (const json& p : j.at("prompts")) {
    ReferencePrompt rp;
    rp.tokens = p.at("tokens").get<std::vector<std::int32_t>>();
    rp.logits = doubles(p.at("logits"));
    rp.probs = doubles(p.at("probs"));
    rp.greedy = p.at("greedy").get<std::vector<std::int32_t>>();
    rp.greedy_margins = doubles(p.at("greedy_margins"));
    if (p.contains("greedy_logits")) {
      for (const json& step : p["greedy_logits"]) rp.greedy_logits.push_back(doubles(step));
    }
    r.prompts.push_back(std::move(rp));
  }
  return r;
}

}  // namespace

ReferenceRun run_reference(const ReferenceSpec& spec, const fs::path& work_dir) {
  ReferenceRun run;
  const fs::path dir(kParityDir);
  if (std::string(kNode).empty()) {
    run.skip_reason = "node was not found when the build was configured; llama.cpp parity needs it";
    return run;
  }
  if (!fs::exists(dir / "node_modules" / "node-llama-cpp")) {
    run.skip_reason = "node-llama-cpp is not installed: run `npm ci` in " + dir.string();
    return run;
  }
  std::error_code ec;
  fs::create_directories(work_dir, ec);
  const fs::path spec_path = work_dir / "reference_spec.json";
  const fs::path out_path = work_dir / "reference_out.json";
  const fs::path err_path = work_dir / "reference_err.txt";
  {
    std::ofstream out(spec_path);
    out << spec_json(spec).dump();
  }
  const std::string command = shell_quote(kNode) + " " + shell_quote((dir / "reference.mjs").string()) + " " +
                              shell_quote(spec_path.string()) + " " + shell_quote(out_path.string()) + " 2> " +
                              shell_quote(err_path.string());
  const int status = std::system(command.c_str());
  if (status != 0) {
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    run.error = "reference.mjs exited with " + std::to_string(code) + ": " + ::greenroute::testing::read_text_file(err_path);
    return run;
  }
  try {
    run.result = parse_result(json::parse(::greenroute::testing::read_text_file(out_path)));
  } catch (const std::exception& e) {
    run.error = std::string("cannot parse the reference's output: ") + e.what();
  }
  return run;
}

}  // namespace greenroute::parity
