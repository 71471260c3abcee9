#include "greenroute/profile/profile_json.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>

#include "profile_test_util.h"

namespace greenroute::profile {
namespace {

using nlohmann::json;

void expect_same(const DeviceProfile& a, const DeviceProfile& b) {
  // Text equality covers every field the schema carries.
  auto ta = profile_to_text(a);
  auto tb = profile_to_text(b);
  ASSERT_TRUE(ta.is_ok()) << ta.status().to_string();
  ASSERT_TRUE(tb.is_ok()) << tb.status().to_string();
  EXPECT_EQ(*ta, *tb);
}

TEST(ProfileJson, RoundTripsThroughText) {
  const DeviceProfile p = testing::sample_profile();
  auto text = profile_to_text(p);
  ASSERT_TRUE(text.is_ok()) << text.status().to_string();
  auto back = parse_profile(*text, "profile.json");
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  expect_same(p, *back);
  // Doubles survive exactly (shortest round-trip representation).
  EXPECT_EQ(back->latency_model.coef, p.latency_model.coef);
  EXPECT_EQ(back->energy_model.coef, p.energy_model.coef);
  EXPECT_EQ(back->sweep.size(), p.sweep.size());
  EXPECT_EQ(back->sweep[3].latency_ms.max, p.sweep[3].latency_ms.max);
  ASSERT_TRUE(back->embodied.has_value());
  EXPECT_EQ(back->embodied->lifetime_hours, 35040.0);
  EXPECT_EQ(back->predict_latency_ms(4, 200, 64), p.predict_latency_ms(4, 200, 64));
}

TEST(ProfileJson, KeyOrderIsFixedAndSchemaComesFirst) {
  auto text = profile_to_text(testing::sample_profile());
  ASSERT_TRUE(text.is_ok());
  EXPECT_EQ(
      text->rfind(
          "{\n  \"schema\": \"greenroute.profile\",\n  \"version\": 1,\n  \"kind\": \"measured\"",
          0),
      0u)
      << text->substr(0, 120);
  EXPECT_EQ(text->back(), '\n');
}

TEST(ProfileJson, SaveIsAtomicAndLoadReadsItBack) {
  const auto dir = testing::make_temp_dir("save");
  const std::string path = (dir / "profile.json").string();
  const DeviceProfile p = testing::sample_profile();
  ASSERT_TRUE(save_profile(p, path).is_ok());
  auto back = load_profile(path);
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  expect_same(p, *back);
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    ++files;
    EXPECT_EQ(e.path().filename(), "profile.json");  // no temporary left behind
  }
  EXPECT_EQ(files, 1);
  // An invalid profile is refused and the old file is left alone.
  DeviceProfile bad = p;
  bad.idle_watts = -1;
  const core::Status s = save_profile(bad, path);
  EXPECT_EQ(s.code(), core::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("idle_watts: must be >= 0"), std::string::npos) << s.message();
  EXPECT_TRUE(load_profile(path).is_ok());
  std::filesystem::remove_all(dir);
}

TEST(ProfileJson, LoadErrorsNameTheFile) {
  auto missing = load_profile("/nonexistent/dir/profile.json");
  EXPECT_EQ(missing.status().code(), core::StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("/nonexistent/dir/profile.json"), std::string::npos);
  auto syntax = parse_profile("{\"schema\": \"greenroute.profile\",\n \"version\": }", "p.json");
  ASSERT_FALSE(syntax.is_ok());
  EXPECT_EQ(syntax.status().code(), core::StatusCode::kCorrupt);
  EXPECT_NE(syntax.status().message().find("p.json: not valid JSON: parse error at line 2"),
            std::string::npos)
      << syntax.status().message();
  auto not_object = parse_profile("[1, 2]", "p.json");
  EXPECT_NE(
      not_object.status().message().find("p.json: document: expected an object, found an array"),
      std::string::npos)
      << not_object.status().message();
}

struct Mutation {
  const char* what;
  std::function<void(json&)> apply;
  core::StatusCode code;
  const char* message;  // expected after "profile.json: "
};

class ProfileJsonValidation : public ::testing::TestWithParam<Mutation> {};

TEST_P(ProfileJsonValidation, NamesTheBadField) {
  const Mutation& m = GetParam();
  auto text = profile_to_text(testing::sample_profile());
  ASSERT_TRUE(text.is_ok());
  json doc = json::parse(*text);
  m.apply(doc);
  auto r = parse_profile(doc.dump(), "profile.json");
  ASSERT_FALSE(r.is_ok()) << m.what;
  EXPECT_EQ(r.status().code(), m.code) << m.what << ": " << r.status().message();
  EXPECT_EQ(r.status().message().rfind(std::string("profile.json: ") + m.message, 0), 0u)
      << m.what << "\n  got: " << r.status().message() << "\n want: profile.json: " << m.message;
}

const core::StatusCode kCorrupt = core::StatusCode::kCorrupt;

INSTANTIATE_TEST_SUITE_P(
    Fields, ProfileJsonValidation,
    ::testing::Values(
        Mutation{"negative coefficient",
                 [](json& d) { d["latency_model"]["coefficients"]["per_step_ms"] = -1; }, kCorrupt,
                 "latency_model.coefficients.per_step_ms: must be >= 0 (is -1)"},
        Mutation{"missing field", [](json& d) { d.erase("idle_watts"); }, kCorrupt,
                 "idle_watts: missing (required)"},
        Mutation{"wrong type", [](json& d) { d["device"]["threads"] = "six"; }, kCorrupt,
                 "device.threads: expected an integer, found a string"},
        Mutation{"fractional integer", [](json& d) { d["knee_batch"] = 2.5; }, kCorrupt,
                 "knee_batch: expected an integer, found a number"},
        Mutation{"unknown field", [](json& d) { d["sweep"][0]["latncy_ms"] = 1; }, kCorrupt,
                 "sweep[0].latncy_ms: unknown field"},
        Mutation{"unknown top-level field", [](json& d) { d["colour"] = "green"; }, kCorrupt,
                 "colour: unknown field"},
        Mutation{"newer version", [](json& d) { d["version"] = 2; }, core::StatusCode::kUnsupported,
                 "version: 2 is not supported"},
        Mutation{"other schema", [](json& d) { d["schema"] = "something.else"; }, kCorrupt,
                 "schema: expected \"greenroute.profile\""},
        Mutation{"bad kind", [](json& d) { d["kind"] = "guessed"; }, kCorrupt,
                 "kind: expected \"measured\""},
        Mutation{"bad time", [](json& d) { d["created_at"] = "yesterday"; }, kCorrupt,
                 "created_at: must be an ISO-8601 UTC time"},
        Mutation{"empty model name", [](json& d) { d["model"]["name"] = ""; }, kCorrupt,
                 "model.name: must not be empty"},
        Mutation{"zero memory", [](json& d) { d["device"]["memory_bytes"] = 0; }, kCorrupt,
                 "device.memory_bytes: must be >= 1"},
        Mutation{"negative bytes", [](json& d) { d["sweep"][1]["predicted_bytes"] = -5; }, kCorrupt,
                 "sweep[1].predicted_bytes: expected a non-negative integer, found an integer"},
        Mutation{"spread out of order", [](json& d) { d["sweep"][2]["latency_ms"]["min"] = 1e12; },
                 kCorrupt, "sweep[2].latency_ms.min: must be <= median"},
        Mutation{"sweep unsorted", [](json& d) { std::swap(d["sweep"][0], d["sweep"][1]); },
                 kCorrupt, "sweep[1]: must come after sweep[0]"},
        Mutation{"output beyond max_tokens",
                 [](json& d) { d["sweep"][0]["mean_output_tokens"] = 1e6; }, kCorrupt,
                 "sweep[0].mean_output_tokens: must be <= max_tokens"},
        Mutation{
            "unknown coefficient",
            [](json& d) { d["energy_model"]["clamped_to_zero"] = {"per_token_j"}; }, kCorrupt,
            "energy_model.clamped_to_zero[0]: 'per_token_j' is not a coefficient of this model"},
        Mutation{"clamped but not zero",
                 [](json& d) { d["energy_model"]["clamped_to_zero"] = {"per_step_j"}; }, kCorrupt,
                 "energy_model.coefficients.per_step_j: is "},
        Mutation{"ttft has no decode terms",
                 [](json& d) { d["ttft_model"]["coefficients"]["per_step_ms"] = 1; }, kCorrupt,
                 "ttft_model.coefficients.per_step_ms: unknown field"},
        Mutation{"fitted model without fit", [](json& d) { d["latency_model"]["fit"] = nullptr; },
                 kCorrupt, "latency_model.fit: is required for method nnls"},
        Mutation{"r2 above one", [](json& d) { d["energy_model"]["fit"]["r2"] = 1.5; }, kCorrupt,
                 "energy_model.fit.r2: must be <= 1"},
        Mutation{"bad method", [](json& d) { d["ttft_model"]["method"] = "eyeballed"; }, kCorrupt,
                 "ttft_model.method: expected \"nnls\" or \"analytic\""},
        Mutation{"knee beyond saturation", [](json& d) { d["saturation_batch"] = d["knee_batch"]; },
                 kCorrupt, "knee_batch: must be < saturation_batch"},
        Mutation{"saturation not an integer", [](json& d) { d["saturation_batch"] = "8"; },
                 kCorrupt, "saturation_batch: expected an integer or null, found a string"},
        Mutation{"nothing fits", [](json& d) { d["max_batch_fits"] = 0; }, kCorrupt,
                 "max_batch_fits: must be >= 1"},
        Mutation{"no lifetime", [](json& d) { d["embodied_carbon"]["lifetime_hours"] = 0; },
                 kCorrupt, "embodied_carbon.lifetime_hours: must be > 0"},
        Mutation{"duplicate source", [](json& d) { d["sources"].push_back(d["sources"][0]); },
                 kCorrupt, "sources[1].id: 'S1' is used twice"},
        Mutation{"reference with a meter", [](json& d) { d["kind"] = "reference"; }, kCorrupt,
                 "meter.measured: must be false"},
        Mutation{"empty measured sweep", [](json& d) { d["sweep"] = json::array(); }, kCorrupt,
                 "sweep: must not be empty in a measured profile"},
        Mutation{"model file is a path", [](json& d) { d["model"]["file"] = "/models/x.gguf"; },
                 kCorrupt, "model.file: must be a file name"}),
    [](const ::testing::TestParamInfo<Mutation>& param_info) {
      std::string name = param_info.param.what;
      for (char& c : name) {
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
      }
      return name;
    });

TEST(ProfileJson, ValidateProfileNamesPathsWithoutAFileName) {
  DeviceProfile p = testing::sample_profile();
  p.sweep[1].joules_per_prompt.max = -3;
  const core::Status s = validate_profile(p);
  EXPECT_EQ(s.code(), core::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "sweep[1].joules_per_prompt.max: must be >= 0 (is -3)");
}

TEST(ProfileJson, PredictionsAndEmbodiedCarbon) {
  const DeviceProfile p = testing::sample_profile();
  EXPECT_NEAR(p.predict_energy_per_prompt_j(4, 200, 64), p.predict_energy_j(4, 200, 64) / 4, 1e-12);
  EXPECT_EQ(p.predict_energy_per_prompt_j(0, 200, 64), 0.0);
  EXPECT_NEAR(p.predict_ttft_ms(2, 100), p.ttft_model.coef[0] + p.ttft_model.coef[1] * 200, 1e-9);
  // 150 kg over 35040 h: 4.28 g per hour.
  EXPECT_NEAR(p.embodied_grams(3600), 150000.0 / 35040.0, 1e-9);
  DeviceProfile none = p;
  none.embodied.reset();
  EXPECT_EQ(none.embodied_grams(3600), 0.0);
}

}  // namespace
}  // namespace greenroute::profile
