// profile.json writer: DeviceProfile -> ordered JSON -> atomic file.
#include <string>

#include "greenroute/core/file_output.h"
#include "greenroute/profile/profile_json.h"
#include "profile/schema.h"

namespace greenroute::profile {
namespace {

using nlohmann::ordered_json;

ordered_json spread_json(const Spread& s) {
  return ordered_json{{"median", s.median}, {"min", s.min}, {"max", s.max}};
}

ordered_json sweep_json(const SweepPoint& p) {
  ordered_json j;
  j["batch_size"] = p.batch_size;
  j["max_tokens"] = p.max_tokens;
  j["repeats"] = p.repeats;
  j["saturated"] = p.saturated;
  j["mean_prompt_tokens"] = p.mean_prompt_tokens;
  j["mean_output_tokens"] = p.mean_output_tokens;
  j["latency_ms"] = spread_json(p.latency_ms);
  j["prompt_latency_ms"] = p.prompt_latency_ms;
  j["ttft_ms"] = p.ttft_ms;
  j["throughput_tokens_per_s"] = p.throughput_tokens_per_s;
  j["joules_per_prompt"] = spread_json(p.joules_per_prompt);
  j["joules_per_output_token"] = p.joules_per_output_token;
  j["mean_watts"] = p.mean_watts;
  j["peak_watts"] = p.peak_watts;
  j["predicted_bytes"] = p.predicted_bytes;
  j["peak_rss_bytes"] = p.peak_rss_bytes;
  j["note"] = p.note;
  return j;
}

ordered_json model_json(detail::ModelRole role, const CostModel& m) {
  ordered_json coefficients = ordered_json::object();
  ordered_json clamped = ordered_json::array();
  ordered_json not_identified = ordered_json::array();
  for (int t = 0; t < kNumTerms; ++t) {
    const Term term = static_cast<Term>(t);
    if (!m.uses(term)) continue;
    const std::string key = detail::coefficient_key(role, term);
    coefficients[key] = m.coef[t];
    if (m.state[t] == TermState::kClampedToZero) clamped.push_back(key);
    if (m.state[t] == TermState::kNotIdentified) not_identified.push_back(key);
  }
  ordered_json j;
  j["method"] = detail::fit_method_name(m.method);
  j["coefficients"] = std::move(coefficients);
  j["clamped_to_zero"] = std::move(clamped);
  j["not_identified"] = std::move(not_identified);
  if (m.fit) {
    j["fit"] = ordered_json{
        {"n", m.fit->n}, {"r2", m.fit->r2}, {"mape_pct", m.fit->mape_pct}, {"rmse", m.fit->rmse}};
  } else {
    j["fit"] = nullptr;
  }
  j["note"] = m.note;
  return j;
}

}  // namespace

nlohmann::ordered_json profile_to_json(const DeviceProfile& p) {
  ordered_json j;
  j["schema"] = kSchemaId;
  j["version"] = kSchemaVersion;
  j["kind"] = profile_kind_name(p.kind);
  j["created_at"] = p.created_at;
  j["greenroute_version"] = p.greenroute_version;
  j["device"] = ordered_json{{"name", p.device.name},
                             {"accelerator", p.device.accelerator},
                             {"cpu", p.device.cpu},
                             {"threads", p.device.threads},
                             {"memory_bytes", p.device.memory_bytes}};
  j["model"] = ordered_json{{"name", p.model.name},
                            {"architecture", p.model.architecture},
                            {"parameters", p.model.parameters},
                            {"weight_type", p.model.weight_type},
                            {"file", p.model.file},
                            {"file_bytes", p.model.file_bytes},
                            {"synthetic", p.model.synthetic}};
  j["meter"] = ordered_json{
      {"name", p.meter.name}, {"measured", p.meter.measured}, {"sensor", p.meter.sensor}};
  j["idle_watts"] = p.idle_watts;
  j["knee_batch"] = p.knee_batch;
  j["saturation_batch"] =
      p.saturation_batch ? ordered_json(*p.saturation_batch) : ordered_json(nullptr);
  j["max_batch_fits"] = p.max_batch_fits;
  j["best_batch"] = ordered_json{{"energy", p.best_batch.energy},
                                 {"latency", p.best_batch.latency},
                                 {"throughput", p.best_batch.throughput}};
  for (detail::ModelRole role : detail::kModelRoles) {
    j[std::string(detail::model_key(role))] = model_json(role, detail::model_of(p, role));
  }
  if (p.embodied) {
    j["embodied_carbon"] = ordered_json{{"total_kg", p.embodied->total_kg},
                                        {"lifetime_hours", p.embodied->lifetime_hours}};
  } else {
    j["embodied_carbon"] = nullptr;
  }
  ordered_json sweep = ordered_json::array();
  for (const SweepPoint& s : p.sweep) sweep.push_back(sweep_json(s));
  j["sweep"] = std::move(sweep);
  ordered_json sources = ordered_json::array();
  for (const Source& s : p.sources) {
    sources.push_back(
        ordered_json{{"id", s.id}, {"title", s.title}, {"url", s.url}, {"used_for", s.used_for}});
  }
  j["sources"] = std::move(sources);
  j["notes"] = p.notes;
  return j;
}

core::Result<std::string> profile_to_text(const DeviceProfile& profile) {
  GR_RETURN_IF_ERROR(validate_profile(profile));
  // Invalid UTF-8 in a free-text field is replaced, not thrown about.
  return profile_to_json(profile).dump(2, ' ', false,
                                       nlohmann::ordered_json::error_handler_t::replace) +
         "\n";
}

core::Status save_profile(const DeviceProfile& profile, const std::string& path) {
  auto text = profile_to_text(profile);
  if (!text.is_ok()) return text.status().with_context("not saving '" + path + "'");
  // A reader sees the old profile or the new one, never half.
  return core::write_file_atomically(path, *text);
}

}  // namespace greenroute::profile
