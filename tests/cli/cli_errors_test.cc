// Every bad input a user can give the CLI ends in exactly one clear error
// line on stderr and a non-zero exit: 2 for a wrong invocation, 1 for work
// that failed (bad file, does not fit). Never a crash.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "cli_runner.h"
#include "greenroute/engine/gguf/gguf_file.h"
#include "greenroute/engine/quant/matmul.h"
#include "greenroute/engine/synth/synth.h"

namespace greenroute::cli {
namespace {

namespace fs = std::filesystem;
using testing::count_lines;
using testing::run_greenroute;
using testing::RunResult;

class CliErrorsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(fs::temp_directory_path() / ("greenroute_cli_errors_" + std::to_string(::getpid())));
    fs::create_directories(*dir_);
    engine::synth::SynthOptions o;
    o.preset = "tiny";
    o.weight_type = engine::quant::GgmlType::kF32;
    o.seed = 3;
    ASSERT_TRUE(engine::synth::write_synthetic_model(o, model_path()).is_ok());
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    fs::remove_all(*dir_, ec);
    delete dir_;
  }
  static std::string model_path() { return (*dir_ / "tiny.gguf").string(); }
  static fs::path path(const std::string& name) { return *dir_ / name; }

  static void write_file(const fs::path& p, const std::string& bytes) {
    std::ofstream f(p, std::ios::binary);
    f << bytes;
  }

  // Copies the tiny model through GgufWriter, letting `edit` change it.
  static std::string rewrite_model(const std::string& name,
                                   const std::function<void(const engine::gguf::TensorInfo&, engine::gguf::GgufWriter&,
                                                            const engine::gguf::GgufFile&)>& add_tensor,
                                   const std::string& arch_override = "") {
    auto file = engine::gguf::GgufFile::open(model_path());
    EXPECT_TRUE(file.is_ok());
    engine::gguf::GgufWriter w;
    for (const auto& kv : (*file)->metadata()) {
      if (kv.key == "general.alignment") continue;
      if (!arch_override.empty() && kv.key == "general.architecture") {
        w.set_string(kv.key, arch_override);
      } else {
        w.set(kv.key, kv.value);
      }
    }
    for (const auto& t : (*file)->tensors()) add_tensor(t, w, **file);
    const std::string out = path(name).string();
    EXPECT_TRUE(w.write(out).is_ok());
    return out;
  }

  // Expects a clean failure: the exit code, one line on stderr, and `needle` in it.
  static void expect_error(const std::vector<std::string>& args, int exit_code, const std::string& needle) {
    RunResult r = run_greenroute(args, *dir_);
    std::string joined;
    for (const auto& a : args) joined += a + " ";
    EXPECT_EQ(r.exit_code, exit_code) << joined << "\nstderr: " << r.err;
    EXPECT_EQ(count_lines(r.err), 1) << joined << "\nstderr: " << r.err;
    EXPECT_EQ(r.err.rfind("greenroute: error: ", 0), 0u) << r.err;
    EXPECT_NE(r.err.find(needle), std::string::npos) << joined << "\nexpected '" << needle << "' in: " << r.err;
  }

  static fs::path* dir_;
};

fs::path* CliErrorsTest::dir_ = nullptr;

void copy_tensor(const engine::gguf::TensorInfo& t, engine::gguf::GgufWriter& w, const engine::gguf::GgufFile& f) {
  const std::uint8_t* p = f.tensor_data(t);
  ASSERT_TRUE(w.add_tensor(t.name, t.type, t.shape, std::vector<std::uint8_t>(p, p + t.n_bytes)).is_ok());
}

TEST_F(CliErrorsTest, MissingCorruptAndTruncatedModelFiles) {
  expect_error({"generate", "-m", path("nope.gguf").string(), "-p", "hi"}, 1, "nope.gguf");
  write_file(path("garbage.gguf"), "this is not a model at all, just some text");
  expect_error({"generate", "-m", path("garbage.gguf").string(), "-p", "hi"}, 1, "magic");
  expect_error({"model", "info", path("garbage.gguf").string()}, 1, "magic");
  std::string bytes = testing::read_text_file(model_path());
  write_file(path("truncated.gguf"), bytes.substr(0, bytes.size() / 2));
  expect_error({"generate", "-m", path("truncated.gguf").string(), "-p", "hi"}, 1, "past end of file");
}

TEST_F(CliErrorsTest, UnsupportedArchitectureAndTensorType) {
  const std::string gptneox = rewrite_model("gptneox.gguf", copy_tensor, "gptneox");
  expect_error({"generate", "-m", gptneox, "-p", "hi"}, 1, "gptneox");

  // One weight stored as Q5_0, a type greenroute does not compute with.
  const std::string q5 = rewrite_model("q5_0.gguf", [](const engine::gguf::TensorInfo& t, engine::gguf::GgufWriter& w,
                                                        const engine::gguf::GgufFile& f) {
    if (t.name != "blk.0.attn_q.weight") return copy_tensor(t, w, f);
    const std::size_t bytes = engine::quant::row_bytes(engine::quant::GgmlType::kQ5_0, t.shape[0]) * t.shape[1];
    ASSERT_TRUE(w.add_tensor(t.name, engine::quant::GgmlType::kQ5_0, t.shape, std::vector<std::uint8_t>(bytes, 0)).is_ok());
  });
  expect_error({"generate", "-m", q5, "-p", "hi"}, 1, "blk.0.attn_q.weight");

  const std::string missing = rewrite_model("missing.gguf", [](const engine::gguf::TensorInfo& t,
                                                               engine::gguf::GgufWriter& w, const engine::gguf::GgufFile& f) {
    if (t.name != "blk.1.ffn_down.weight") copy_tensor(t, w, f);
  });
  expect_error({"generate", "-m", missing, "-p", "hi"}, 1, "blk.1.ffn_down.weight");
}

TEST_F(CliErrorsTest, BadFlagsAndSamplingValues) {
  const std::string m = model_path();
  expect_error({"generate", "-m", m}, 2, "exactly one of --prompt");
  expect_error({"generate", "-m", m, "-p", "a", "--prompts", "x.jsonl"}, 2, "exactly one of --prompt");
  expect_error({"generate", "-m", m, "-p", "a", "--temperature", "-1"}, 2, "temperature");
  expect_error({"generate", "-m", m, "-p", "a", "--top-p", "1.5"}, 2, "top_p");
  expect_error({"generate", "-m", m, "-p", "a", "--min-p", "2"}, 2, "min_p");
  expect_error({"generate", "-m", m, "-p", "a", "--top-k", "-3"}, 2, "top_k");
  expect_error({"generate", "-m", m, "-p", "a", "--repeat-penalty", "0"}, 2, "repeat_penalty");
  expect_error({"generate", "-m", m, "-p", "a", "--batch", "0"}, 2, "--batch");
  expect_error({"generate", "-m", m, "-p", "a", "--max-tokens", "0"}, 2, "--max-tokens");
  expect_error({"generate", "-m", m, "-p", "a", "--kv-type", "q4_0"}, 2, "--kv-type");
  expect_error({"generate", "-m", m, "-p", "a", "--memory-limit", "lots"}, 2, "byte size");
  expect_error({"generate", "-m", m, "-p", "a", "--no-such-flag"}, 2, "--no-such-flag");
  expect_error({"frobnicate"}, 2, "frobnicate");
  expect_error({"model", "synth", "--preset", "gpt-5", "--out", path("x.gguf").string()}, 2, "gpt-5");
  expect_error({"model", "synth", "--type", "q3_k", "--out", path("x.gguf").string()}, 2, "q3_K");
  expect_error({"model", "synth", "--out", m}, 2, "already exists");
  // A node pinned to CPUs that are not a list, or not this machine's.
  expect_error({"node", "-m", m, "--port", "0", "--cpus", "1-0"}, 2, "--cpus: CPU list '1-0': range '1-0' runs backwards");
  expect_error({"node", "-m", m, "--port", "0", "--cpus", "two"}, 2, "'two' is not a CPU number");
  expect_error({"node", "-m", m, "--port", "0", "--cpus", "1023"}, 2, "CPU 1023 is not available");
}

TEST_F(CliErrorsTest, PromptFilesAndContextAndMemory) {
  const std::string m = model_path();
  expect_error({"generate", "-m", m, "--prompts", path("absent.jsonl").string()}, 1, "absent.jsonl");
  write_file(path("bad.jsonl"), "{\"prompt\": \"fine\"}\n{\"prompt\": \"broken\"\n");
  expect_error({"generate", "-m", m, "--prompts", path("bad.jsonl").string()}, 2, "bad.jsonl:2");
  write_file(path("badtemp.jsonl"), "{\"prompt\": \"a\", \"temperature\": -2}\n");
  expect_error({"generate", "-m", m, "--prompts", path("badtemp.jsonl").string()}, 2, "line 1");

  std::string long_prompt;
  for (int i = 0; i < 200; ++i) long_prompt += "word ";
  expect_error({"generate", "-m", m, "-p", long_prompt, "--ctx", "64"}, 1, "context of 64 tokens");
  expect_error({"generate", "-m", m, "-p", "hello", "--memory-limit", "1KiB"}, 1, "memory");
}

}  // namespace
}  // namespace greenroute::cli
