// `greenroute bench` end to end on a tiny synthetic model: a short sweep
// writes measurements.csv, profile.json and charts; saturation, a meter
// failing mid-run and bad input are handled without losing measured rows.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli_runner.h"
#include "greenroute/engine/context/context.h"
#include "greenroute/engine/model/model.h"
#include "greenroute/engine/quant/ggml_type.h"
#include "greenroute/engine/synth/synth.h"
#include "greenroute/profile/profile_json.h"

namespace greenroute::cli {
namespace {

namespace fs = std::filesystem;
using testing::count_lines;
using testing::read_text_file;
using testing::run_greenroute;
using testing::RunResult;
using testing::shell_quote;

class CliBenchTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(fs::temp_directory_path() / ("greenroute_cli_bench_" + std::to_string(::getpid())));
    fs::create_directories(*dir_);
    engine::synth::SynthOptions o;
    o.preset = "tiny";
    o.weight_type = engine::quant::GgmlType::kF32;
    o.seed = 5;
    ASSERT_TRUE(engine::synth::write_synthetic_model(o, model_path()).is_ok());
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    fs::remove_all(*dir_, ec);
    delete dir_;
  }
  static std::string model_path() { return (*dir_ / "tiny.gguf").string(); }
  static fs::path scratch() { return *dir_; }

  // A short sweep's flags; `extra` holds flag/value pairs that replace a
  // default (CLI11 refuses a flag given twice) or add to them.
  static std::vector<std::string> sweep(const std::string& out, std::vector<std::string> extra = {}) {
    std::vector<std::pair<std::string, std::string>> flags = {
        {"--model", model_path()}, {"--batch-sizes", "1,2,4"}, {"--max-tokens", "4,8"},
        {"--repeat", "2"},         {"--warmup", "1"},          {"--max-prompts", "12"},
        {"--threads", "1"},        {"--meter", "cpu-estimate"}, {"--idle-seconds", "0.2"},
        {"--out", out}};
    for (std::size_t i = 0; i + 1 < extra.size(); i += 2) {
      bool replaced = false;
      for (auto& [flag, value] : flags) {
        if (flag == extra[i]) {
          value = extra[i + 1];
          replaced = true;
        }
      }
      if (!replaced) flags.emplace_back(extra[i], extra[i + 1]);
    }
    std::vector<std::string> args = {"bench", "--quiet"};
    for (const auto& [flag, value] : flags) {
      args.push_back(flag);
      args.push_back(value);
    }
    return args;
  }

  static int csv_rows(const fs::path& csv) { return count_lines(read_text_file(csv)) - 1; }

  static fs::path* dir_;
};

fs::path* CliBenchTest::dir_ = nullptr;

TEST_F(CliBenchTest, ShortSweepWritesEveryOutput) {
  const fs::path out = scratch() / "sweep";
  RunResult r = run_greenroute(sweep(out.string(), {"--zone", "FR"}), scratch());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // 3 batch sizes x 2 output lengths x 2 repeats.
  EXPECT_EQ(csv_rows(out / "measurements.csv"), 12);
  const std::string csv = read_text_file(out / "measurements.csv");
  EXPECT_NE(csv.find("estimated:cpu-estimate"), std::string::npos);

  auto profile = profile::load_profile((out / "profile.json").string());
  ASSERT_TRUE(profile.is_ok()) << profile.status().to_string();
  EXPECT_EQ(profile->kind, profile::ProfileKind::kMeasured);
  EXPECT_FALSE(profile->meter.measured);
  EXPECT_GT(profile->predict_latency_ms(2, 20, 8), 0.0);

  for (const char* chart : {"latency.svg", "energy.svg", "throughput.svg"}) {
    const std::string svg = read_text_file(out / chart);
    EXPECT_NE(svg.find("<svg"), std::string::npos) << chart;
    EXPECT_NE(svg.find("ESTIMATED"), std::string::npos) << chart << " must label estimated energy";
  }
  // The summary names the knee and the best batch sizes.
  EXPECT_NE(r.out.find("knee"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("best for energy"), std::string::npos) << r.out;
}

TEST_F(CliBenchTest, SaturatedBatchesAreRecordedAndLargerOnesSkipped) {
  const fs::path out = scratch() / "saturation";
  // The tiny model needs well under 2 MiB for one short sequence but several
  // MiB of scratch and KV for four: find the budget from its own model.
  RunResult r = run_greenroute(sweep(out.string(), {"--memory-limit", "1KiB"}), scratch());
  // Even batch 1 cannot fit 1 KiB: every point saturates; no profile can be
  // fitted, which is a failure of the work, with the rows kept.
  EXPECT_EQ(r.exit_code, 1) << r.err;
  const std::string csv = read_text_file(out / "measurements.csv");
  EXPECT_NE(csv.find(",true,"), std::string::npos) << csv;
  EXPECT_EQ(csv_rows(out / "measurements.csv"), 2) << "one saturated row per output length, larger batches skipped";
  EXPECT_NE(r.err.find("saturates memory"), std::string::npos) << r.err;
}

TEST_F(CliBenchTest, ABatchTheMemoryBudgetCannotHoldSaturatesAndStopsTheLargerOnes) {
  // A budget that holds two sequences of the whole 64-token context but not
  // four: the engine's own memory model says where that line is.
  auto model = engine::model::Model::load(model_path());
  ASSERT_TRUE(model.is_ok()) << model.status().to_string();
  engine::context::ContextParams cp;
  cp.n_ctx = 64;
  cp.max_sequences = 2;
  cp.n_threads = 1;
  auto ctx = engine::context::Context::create(**model, cp);
  ASSERT_TRUE(ctx.is_ok()) << ctx.status().to_string();
  const engine::model::MemoryModel& mm = (*ctx)->memory_model();
  const std::uint64_t budget = mm.bytes_for(2, 64) + mm.kv_bytes_per_token * 16;
  ASSERT_GT(mm.bytes_for(4, 40), budget) << "four sequences of 40+ tokens must not fit";

  const fs::path out = scratch() / "saturation-mid";
  RunResult r = run_greenroute(
      sweep(out.string(), {"--ctx", "64", "--memory-limit", std::to_string(budget), "--batch-sizes", "1,2,4,8"}),
      scratch());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Per output length: batch 1 and 2 measured twice, batch 4 one saturated
  // row, batch 8 skipped.
  EXPECT_EQ(csv_rows(out / "measurements.csv"), 2 * (2 + 2 + 1)) << read_text_file(out / "measurements.csv");
  auto profile = profile::load_profile((out / "profile.json").string());
  ASSERT_TRUE(profile.is_ok()) << profile.status().to_string();
  ASSERT_TRUE(profile->saturation_batch.has_value());
  EXPECT_EQ(*profile->saturation_batch, 4);
  EXPECT_NE(r.out.find("memory saturation: batch 4"), std::string::npos) << r.out;
  EXPECT_NE(read_text_file(out / "energy.svg").find("saturated: batch 4"), std::string::npos);
}

TEST_F(CliBenchTest, AMeterFailingMidRunKeepsTheRowsAndSaysSo) {
  const fs::path out = scratch() / "meter-fails";
  // The fake GPU answers its first 8 power reads, then is lost: detection
  // and the sampler thread's first read take 2, then each run reads at its
  // two edges, so the first point's warm-up and 2 repeats are measured and
  // everything after has no energy. (--sample-ms 60000: the thread reads
  // once in this short sweep, keeping the count exact.)
  RunResult r = run_greenroute(sweep(out.string(), {"--meter", "nvml", "--nvml-library", FAKE_NVML_PATH,
                                                    "--sample-ms", "60000", "--idle-seconds", "0"}),
                               scratch(), "FAKE_NVML_GPUS='Test GPU:30000:0' FAKE_NVML_FAIL_AFTER=8");
  // Two measured runs at one design point cannot identify an energy model:
  // a clear failure, with every timing row kept on disk.
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(csv_rows(out / "measurements.csv"), 12) << "timing rows are kept";
  const std::string csv = read_text_file(out / "measurements.csv");
  EXPECT_NE(csv.find("measured:nvml"), std::string::npos);
  EXPECT_NE(csv.find("no energy"), std::string::npos) << csv;
  EXPECT_NE(r.err.find("GPU is lost"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("10 runs have no energy figure"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("cannot build a profile"), std::string::npos) << r.err;
  EXPECT_LE(count_lines(r.err), 8) << "a dead meter is reported once, not once per run:\n" << r.err;
}

TEST_F(CliBenchTest, BadInputGetsOneClearLine) {
  const fs::path file_not_dir = scratch() / "a-file";
  std::ofstream(file_not_dir) << "x";
  const fs::path bad_prompts = scratch() / "bad.jsonl";
  std::ofstream(bad_prompts) << "{\"prompt\": \"ok\"}\n{not json\n";
  struct Case {
    std::vector<std::string> args;
    int exit_code;
    std::string says;
  };
  const std::string out = (scratch() / "bad-out").string();
  const std::vector<Case> cases = {
      {sweep(out, {"--batch-sizes", "1,x"}), 2, "--batch-sizes '1,x'"},
      {sweep(out, {"--batch-sizes", "0"}), 2, "--batch-sizes"},
      {sweep(out, {"--max-tokens", "4,"}), 2, "--max-tokens"},
      {sweep(out, {"--repeat", "0"}), 2, "--repeat"},
      {sweep(out, {"--batch-sizes", "4,4", "--max-tokens", "8"}), 2, "at least two batch sizes"},
      {sweep(out, {"--memory-limit", "lots"}), 2, "lots"},
      {sweep(out, {"--prompts", bad_prompts.string()}), 2, "bad.jsonl:2"},
      {sweep(out, {"--prompts", "/nonexistent/prompts.jsonl"}), 1, "/nonexistent/prompts.jsonl"},
      {sweep((file_not_dir / "sub").string()), 1, "a-file"},
      {{"bench", "--model", "/nonexistent/model.gguf", "--out", out}, 1, "/nonexistent/model.gguf"},
      {sweep(out, {"--zone", "Atlantis"}), 1, "Atlantis"},
  };
  for (const Case& c : cases) {
    RunResult r = run_greenroute(c.args, scratch());
    std::string cmd;
    for (const auto& a : c.args) cmd += a + " ";
    EXPECT_EQ(r.exit_code, c.exit_code) << cmd << "\n" << r.err;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << cmd << "\n" << r.err;
    EXPECT_EQ(count_lines(r.err), 1) << cmd << "\n" << r.err;
  }
}

}  // namespace
}  // namespace greenroute::cli
