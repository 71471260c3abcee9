#include "greenroute/profile/reference_profiles.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "greenroute/profile/fit.h"
#include "greenroute/profile/profile_json.h"
#include "profile_test_util.h"

namespace greenroute::profile {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

DeviceProfile get(const char* name) {
  auto p = reference_profile(name);
  EXPECT_TRUE(p.is_ok()) << p.status().to_string();
  return p.is_ok() ? *p : DeviceProfile{};
}

TEST(ReferenceProfiles, NamesAndLookup) {
  const auto names = reference_profile_names();
  ASSERT_EQ(names.size(), 2u);
  EXPECT_EQ(names[0], "jetson-orin-nx-8gb");
  EXPECT_EQ(names[1], "rtx-2000-ada-16gb");
  auto missing = reference_profile("tpu-v9");
  EXPECT_EQ(missing.status().code(), core::StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("known: jetson-orin-nx-8gb, rtx-2000-ada-16gb"),
            std::string::npos);
}

TEST(ReferenceProfiles, AreValidMarkedAndCited) {
  for (const std::string& name : reference_profile_names()) {
    SCOPED_TRACE(name);
    auto p = reference_profile(name);
    ASSERT_TRUE(p.is_ok()) << p.status().to_string();
    EXPECT_TRUE(validate_profile(*p).is_ok());
    EXPECT_EQ(p->kind, ProfileKind::kReference);
    EXPECT_FALSE(p->meter.measured);
    EXPECT_EQ(p->latency_model.method, FitMethod::kAnalytic);
    EXPECT_FALSE(p->latency_model.fit.has_value());
    EXPECT_GE(p->sources.size(), 4u);
    EXPECT_EQ(p->notes.rfind(
                  "REFERENCE profile: derived from published specifications, not measured.", 0),
              0u);
    EXPECT_NE(p->notes.find("Assumed:"), std::string::npos);
    EXPECT_EQ(p->model.file_bytes, 807694464u);
    EXPECT_EQ(p->sweep.size(), 14u);
    for (const SweepPoint& s : p->sweep) EXPECT_EQ(s.repeats, 0);
    // Round trip through JSON.
    auto text = profile_to_text(*p);
    ASSERT_TRUE(text.is_ok());
    auto back = parse_profile(*text, name);
    ASSERT_TRUE(back.is_ok()) << back.status().to_string();
    EXPECT_EQ(*profile_to_text(*back), *text);
  }
}

TEST(ReferenceProfiles, PredictPlausibleValues) {
  const DeviceProfile jetson = get("jetson-orin-nx-8gb");
  const DeviceProfile rtx = get("rtx-2000-ada-16gb");
  // One prompt of 256 tokens generating 128.
  const double jl = jetson.predict_latency_ms(1, 256, 128),
               rl = rtx.predict_latency_ms(1, 256, 128);
  const double je = jetson.predict_energy_j(1, 256, 128), re = rtx.predict_energy_j(1, 256, 128);
  EXPECT_GT(jl, rl) << "the Jetson is slower";
  EXPECT_GT(re / rl, je / jl) << "the RTX draws more power";
  // Decode speed at batch 1 (tokens/s) within what bandwidth allows.
  const double jetson_tps = 1000.0 / jetson.latency_model.coefficient(Term::kDecodeStep);
  const double rtx_tps = 1000.0 / rtx.latency_model.coefficient(Term::kDecodeStep);
  EXPECT_GT(jetson_tps, 30);
  EXPECT_LT(jetson_tps, 102.4e9 / 807694464.0);  // the bandwidth bound
  EXPECT_GT(rtx_tps, 100);
  EXPECT_LT(rtx_tps, 224e9 / 807694464.0);
  // Mean power stays inside each device's envelope (20 W mode; 70 W board).
  for (int b : {1, 8, 64}) {
    const double jw =
        jetson.predict_energy_j(b, 256, 128) / (jetson.predict_latency_ms(b, 256, 128) / 1000);
    const double rw =
        rtx.predict_energy_j(b, 256, 128) / (rtx.predict_latency_ms(b, 256, 128) / 1000);
    EXPECT_GT(jw, jetson.idle_watts);
    EXPECT_LE(jw, 20.0);
    EXPECT_GT(rw, rtx.idle_watts);
    EXPECT_LE(rw, 70.0);
  }
  EXPECT_GT(jetson.predict_ttft_ms(1, 256), rtx.predict_ttft_ms(1, 256));
  EXPECT_GT(rtx.device.memory_bytes, jetson.device.memory_bytes);
  EXPECT_GT(rtx.max_batch_fits, jetson.max_batch_fits);
  EXPECT_GT(jetson.knee_batch, 1);
  EXPECT_GT(rtx.knee_batch, 1);
}

TEST(ReferenceProfiles, FittingTheDerivedSweepRecoversTheModel) {
  for (const std::string& name : reference_profile_names()) {
    SCOPED_TRACE(name);
    const DeviceProfile p = get(name.c_str());
    std::vector<FitPoint> lat, energy;
    for (const SweepPoint& s : p.sweep) {
      lat.push_back(
          {double(s.batch_size), s.mean_prompt_tokens, s.mean_output_tokens, s.latency_ms.median});
      energy.push_back({double(s.batch_size), s.mean_prompt_tokens, s.mean_output_tokens,
                        s.joules_per_prompt.median * s.batch_size});
    }
    auto fl = fit_cost_model(lat, FitOptions{});
    auto fe = fit_cost_model(energy, FitOptions{});
    ASSERT_TRUE(fl.is_ok()) << fl.status().to_string();
    ASSERT_TRUE(fe.is_ok()) << fe.status().to_string();
    // The sweep is rounded to 6 significant figures and has one prompt
    // length, so prefill and fixed costs are not separable: compare
    // predictions, not coefficients.
    for (const SweepPoint& s : p.sweep) {
      const double b = s.batch_size, n = s.mean_output_tokens, pt = s.mean_prompt_tokens;
      EXPECT_NEAR(fl->predict(b, pt, n), p.latency_model.predict(b, pt, n),
                  1e-4 * s.latency_ms.median);
      EXPECT_NEAR(fe->predict(b, pt, n), p.energy_model.predict(b, pt, n),
                  1e-4 * p.energy_model.predict(b, pt, n));
    }
  }
}

// Numbers equal to 9 significant figures, everything else exactly: the
// shipped files must not depend on the last bit a compiler produces.
void expect_json_close(const json& a, const json& b, const std::string& path) {
  if (a.is_number() && b.is_number()) {
    const double x = a.get<double>(), y = b.get<double>();
    EXPECT_NEAR(x, y, 1e-9 * std::max({1.0, std::abs(x), std::abs(y)})) << path;
    return;
  }
  ASSERT_EQ(a.type(), b.type()) << path;
  if (a.is_object()) {
    ASSERT_EQ(a.size(), b.size()) << path;
    for (auto it = a.begin(); it != a.end(); ++it) {
      ASSERT_TRUE(b.contains(it.key())) << path << "." << it.key();
      expect_json_close(it.value(), b[it.key()], path + "." + it.key());
    }
  } else if (a.is_array()) {
    ASSERT_EQ(a.size(), b.size()) << path;
    for (std::size_t i = 0; i < a.size(); ++i)
      expect_json_close(a[i], b[i], path + "[" + std::to_string(i) + "]");
  } else {
    EXPECT_EQ(a, b) << path;
  }
}

TEST(ReferenceProfiles, ShippedFilesMatchTheDerivation) {
  const fs::path shipped = fs::path(GREENROUTE_SOURCE_DIR) / "profiles";
  // GREENROUTE_UPDATE_REFERENCE_PROFILES=1 regenerates the shipped files.
  if (const char* update = std::getenv("GREENROUTE_UPDATE_REFERENCE_PROFILES");
      update && *update == '1') {
    ASSERT_TRUE(write_reference_profiles(shipped).is_ok());
  }
  for (const std::string& name : reference_profile_names()) {
    SCOPED_TRACE(name);
    const fs::path file = shipped / (name + ".json");
    auto loaded = load_profile(file.string());
    ASSERT_TRUE(loaded.is_ok()) << loaded.status().to_string()
                                << " (regenerate with GREENROUTE_UPDATE_REFERENCE_PROFILES=1)";
    const DeviceProfile derived = get(name.c_str());
    json shipped_doc = json::parse(profile_to_json(*loaded).dump());
    json derived_doc = json::parse(profile_to_json(derived).dump());
    // The version that wrote the file may lag the build: a version bump
    // alone is no reason to regenerate.
    shipped_doc.erase("greenroute_version");
    derived_doc.erase("greenroute_version");
    expect_json_close(shipped_doc, derived_doc, name);
  }
}

TEST(ReferenceProfiles, WritesLoadableFiles) {
  const fs::path dir = testing::make_temp_dir("ref");
  ASSERT_TRUE(write_reference_profiles(dir).is_ok());
  for (const std::string& name : reference_profile_names()) {
    auto p = load_profile((dir / (name + ".json")).string());
    ASSERT_TRUE(p.is_ok()) << p.status().to_string();
    EXPECT_EQ(p->device.name, name);
  }
  EXPECT_FALSE(write_reference_profiles(dir / "missing").is_ok());
  fs::remove_all(dir);
}

}  // namespace
}  // namespace greenroute::profile
