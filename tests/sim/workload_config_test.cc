#include "greenroute/sim/workload_config.h"

#include <gtest/gtest.h>

#include <string>

namespace greenroute::sim {
namespace {

TEST(WorkloadConfig, ParsesEveryField) {
  const std::string text = R"(
arrival = "diurnal"
duration_s = 86400
rate = 2
amplitude = 0.75
peak_hour = 18.5
start_unix_s = 1654041600
seed = 42
slo_fraction = 0.2
slo_ms = 5000
override_fraction = 0.1
override_policy = "carbon-aware"

[prompt]
kind = "list"
values = [12, 40, 230]

[output]
kind = "lognormal"
mean = 96.5
sigma = 0.3
min = 4
max = 512
)";
  auto c = parse_workload_toml(text, "w.toml");
  ASSERT_TRUE(c.is_ok()) << c.status().to_string();
  EXPECT_EQ(c->arrival, ArrivalKind::kDiurnal);
  EXPECT_DOUBLE_EQ(c->duration_s, 86400);
  EXPECT_DOUBLE_EQ(c->rate, 2);
  EXPECT_DOUBLE_EQ(c->amplitude, 0.75);
  EXPECT_DOUBLE_EQ(c->peak_hour, 18.5);
  EXPECT_EQ(c->start_unix_s, 1654041600);
  EXPECT_EQ(c->seed, 42u);
  EXPECT_DOUBLE_EQ(c->slo_fraction, 0.2);
  EXPECT_DOUBLE_EQ(c->slo_ms, 5000);
  EXPECT_DOUBLE_EQ(c->override_fraction, 0.1);
  EXPECT_EQ(c->override_policy, "carbon-aware");
  EXPECT_EQ(c->prompt.kind, LengthKind::kList);
  EXPECT_EQ(c->prompt.values, (std::vector<int>{12, 40, 230}));
  EXPECT_EQ(c->output.kind, LengthKind::kLognormal);
  EXPECT_DOUBLE_EQ(c->output.mean, 96.5);
  EXPECT_DOUBLE_EQ(c->output.sigma, 0.3);
  EXPECT_EQ(c->output.min, 4);
  EXPECT_EQ(c->output.max, 512);
}

TEST(WorkloadConfig, EmptyFileIsTheDefaults) {
  auto c = parse_workload_toml("", "w.toml");
  ASSERT_TRUE(c.is_ok()) << c.status().to_string();
  EXPECT_EQ(c->arrival, ArrivalKind::kPoisson);
  EXPECT_DOUBLE_EQ(c->rate, WorkloadConfig{}.rate);
}

void expect_error(const std::string& text, const std::string& want) {
  auto c = parse_workload_toml(text, "w.toml");
  ASSERT_FALSE(c.is_ok()) << text;
  EXPECT_EQ(c.status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_NE(c.status().message().find(want), std::string::npos) << c.status().message() << "\nwanted: " << want;
}

TEST(WorkloadConfig, ErrorsNameFileLineAndField) {
  expect_error("rate = 1\nrat = 2\n", "w.toml:2: workload.rat: unknown key");
  expect_error("rate = \"fast\"\n", "w.toml:1: workload.rate: must be a number (is string)");
  expect_error("arrival = \"steady\"\n", "w.toml:1: workload.arrival: must be \"poisson\"");
  expect_error("\n\nrate = -1\n", "w.toml:3: workload.rate: must be > 0 (is -1)");
  expect_error("[prompt]\nkind = \"list\"\nvalues = [3, 0]\n", "w.toml:3: workload.prompt.values[1]: must be >= 1");
  expect_error("[output]\nsigma = -0.5\n", "w.toml:2: workload.output.sigma: must be >= 0");
  expect_error("[output]\nmedian = 3\n", "w.toml:2: workload.output.median: unknown key");
  expect_error("override_fraction = 0.5\noverride_policy = \"fastest\"\n", "w.toml:2: workload.override_policy");
  expect_error("rate = [\n", "w.toml");
  expect_error("min = 1.5\n", "workload.min: unknown key");
  expect_error("[prompt]\nmin = 1.5\n", "workload.prompt.min: must be an integer (is float)");
}

TEST(WorkloadConfig, MissingFileIsNotFound) {
  auto c = load_workload_config("/nonexistent/workload.toml");
  ASSERT_FALSE(c.is_ok());
  EXPECT_EQ(c.status().code(), core::StatusCode::kNotFound);
  EXPECT_NE(c.status().message().find("/nonexistent/workload.toml"), std::string::npos);
}

}  // namespace
}  // namespace greenroute::sim
