// `greenroute generate` end to end on a real (tiny synthetic) model file.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli_runner.h"
#include "greenroute/engine/synth/synth.h"

namespace greenroute::cli {
namespace {

namespace fs = std::filesystem;
using testing::run_greenroute;

class CliGenerateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("greenroute_cli_gen_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    engine::synth::SynthOptions o;
    o.preset = "tiny";
    o.weight_type = engine::quant::GgmlType::kQ8_0;
    o.seed = 11;
    ASSERT_TRUE(engine::synth::write_synthetic_model(o, (dir_ / "tiny.gguf").string()).is_ok());
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  std::vector<nlohmann::json> json_lines(const std::string& out) {
    std::vector<nlohmann::json> v;
    std::istringstream in(out);
    std::string line;
    while (std::getline(in, line)) {
      if (!line.empty()) v.push_back(nlohmann::json::parse(line));
    }
    return v;
  }

  fs::path dir_;
};

TEST_F(CliGenerateTest, JsonReportsTokensTimingAndLogprobs) {
  auto r = run_greenroute({"generate", "-m", (dir_ / "tiny.gguf").string(), "-p", "The sun rises", "--temperature", "0",
                           "-n", "6", "--json", "--logprobs", "3", "--ignore-eos"},
                          dir_);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto lines = json_lines(r.out);
  ASSERT_EQ(lines.size(), 1u);
  const auto& j = lines[0];
  EXPECT_EQ(j["completion_tokens"], 6);
  EXPECT_EQ(j["token_ids"].size(), 6u);
  EXPECT_EQ(j["prompt_tokens"], j["prompt_token_ids"].size());
  EXPECT_EQ(j["finish_reason"], "length");
  EXPECT_GT(j["total_ms"].get<double>(), 0.0);
  EXPECT_LE(j["ttft_ms"].get<double>(), j["total_ms"].get<double>());
  ASSERT_EQ(j["logprobs"].size(), 6u);
  for (const auto& lp : j["logprobs"]) {
    ASSERT_EQ(lp["top_logprobs"].size(), 3u);
    // Greedy: the chosen token is the most likely one.
    EXPECT_EQ(lp["token"], lp["top_logprobs"][0]["token"]);
    EXPECT_LE(lp["logprob"].get<double>(), 0.0);
  }
}

TEST_F(CliGenerateTest, BatchedGreedyEqualsOneAtATime) {
  const std::string prompts = (dir_ / "p.jsonl").string();
  std::ofstream(prompts) << "{\"prompt\": \"alpha beta\"}\n{\"prompt\": \"a much longer prompt about the grid\"}\n"
                            "{\"prompt\": \"x\", \"max_tokens\": 3}\n";
  auto batched = run_greenroute({"generate", "-m", (dir_ / "tiny.gguf").string(), "--prompts", prompts,
                                 "--temperature", "0", "-n", "8", "--batch", "3", "--json", "--ignore-eos"},
                                dir_);
  ASSERT_EQ(batched.exit_code, 0) << batched.err;
  auto single = run_greenroute({"generate", "-m", (dir_ / "tiny.gguf").string(), "--prompts", prompts,
                                "--temperature", "0", "-n", "8", "--batch", "1", "--json", "--ignore-eos"},
                               dir_);
  ASSERT_EQ(single.exit_code, 0) << single.err;
  auto a = json_lines(batched.out), b = json_lines(single.out);
  ASSERT_EQ(a.size(), 3u);
  ASSERT_EQ(b.size(), 3u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(a[i]["token_ids"], b[i]["token_ids"]) << "prompt " << i;
  EXPECT_EQ(a[2]["completion_tokens"], 3);
}

TEST_F(CliGenerateTest, HumanOutputShowsPerSequenceFigures) {
  auto r = run_greenroute({"generate", "-m", (dir_ / "tiny.gguf").string(), "-p", "hello", "-n", "4", "--seed", "5"}, dir_);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("prompt "), std::string::npos);
  EXPECT_NE(r.out.find("TTFT"), std::string::npos);
  EXPECT_NE(r.out.find("synthetic model"), std::string::npos);
}

}  // namespace
}  // namespace greenroute::cli
