// validate_profile: every range and cross-field rule of docs/profile.md.
// Each message starts with the JSON path of the field it is about, so the
// reader can prefix the file name and the user can find the line.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <set>
#include <string>
#include <utility>

#include "greenroute/carbon/time_text.h"
#include "greenroute/profile/profile.h"
#include "profile/schema.h"

namespace greenroute::profile {
namespace {

using core::Status;

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

Status fail(const std::string& path, const std::string& what) {
  return core::invalid_argument(path + ": " + what);
}

Status at_least(const std::string& path, double v, double min) {
  if (std::isfinite(v) && v >= min) return Status::ok();
  return fail(path, "must be >= " + num(min) + " (is " + num(v) + ")");
}

Status positive(const std::string& path, double v) {
  if (std::isfinite(v) && v > 0) return Status::ok();
  return fail(path, "must be > 0 (is " + num(v) + ")");
}

Status nonempty(const std::string& path, const std::string& s) {
  return s.empty() ? fail(path, "must not be empty") : Status::ok();
}

// "YYYY-MM-DDTHH:MM:SSZ" and a real time.
Status check_created_at(const std::string& s) {
  const bool shape = s.size() == 20 && s[4] == '-' && s[7] == '-' && s[10] == 'T' && s[13] == ':' &&
                     s[16] == ':' && s[19] == 'Z';
  if (shape && carbon::parse_utc_time(s)) return Status::ok();
  return fail("created_at", "must be an ISO-8601 UTC time like 2026-11-24T20:27:04Z (is '" +
                                s.substr(0, 40) + "')");
}

Status check_spread(const std::string& path, const Spread& s) {
  GR_RETURN_IF_ERROR(at_least(path + ".min", s.min, 0));
  GR_RETURN_IF_ERROR(at_least(path + ".median", s.median, 0));
  GR_RETURN_IF_ERROR(at_least(path + ".max", s.max, 0));
  if (s.min > s.median)
    return fail(path + ".min", "must be <= median (" + num(s.min) + " > " + num(s.median) + ")");
  if (s.median > s.max)
    return fail(path + ".max", "must be >= median (" + num(s.max) + " < " + num(s.median) + ")");
  return Status::ok();
}

Status check_sweep_point(const std::string& path, const SweepPoint& p, ProfileKind kind) {
  GR_RETURN_IF_ERROR(at_least(path + ".batch_size", p.batch_size, 1));
  GR_RETURN_IF_ERROR(at_least(path + ".max_tokens", p.max_tokens, 1));
  // Reference profiles evaluate their sweep from the model: no repeats ran.
  GR_RETURN_IF_ERROR(
      at_least(path + ".repeats", p.repeats, kind == ProfileKind::kMeasured ? 1 : 0));
  GR_RETURN_IF_ERROR(at_least(path + ".mean_prompt_tokens", p.mean_prompt_tokens, 0));
  GR_RETURN_IF_ERROR(at_least(path + ".mean_output_tokens", p.mean_output_tokens, 0));
  if (p.mean_output_tokens > p.max_tokens) {
    return fail(path + ".mean_output_tokens", "must be <= max_tokens (" +
                                                  num(p.mean_output_tokens) + " > " +
                                                  std::to_string(p.max_tokens) + ")");
  }
  GR_RETURN_IF_ERROR(check_spread(path + ".latency_ms", p.latency_ms));
  GR_RETURN_IF_ERROR(at_least(path + ".prompt_latency_ms", p.prompt_latency_ms, 0));
  GR_RETURN_IF_ERROR(at_least(path + ".ttft_ms", p.ttft_ms, 0));
  GR_RETURN_IF_ERROR(at_least(path + ".throughput_tokens_per_s", p.throughput_tokens_per_s, 0));
  GR_RETURN_IF_ERROR(check_spread(path + ".joules_per_prompt", p.joules_per_prompt));
  GR_RETURN_IF_ERROR(at_least(path + ".joules_per_output_token", p.joules_per_output_token, 0));
  GR_RETURN_IF_ERROR(at_least(path + ".mean_watts", p.mean_watts, 0));
  GR_RETURN_IF_ERROR(at_least(path + ".peak_watts", p.peak_watts, 0));
  if (!p.saturated) {
    // A batch that ran took time; zero latency means the row was never filled.
    GR_RETURN_IF_ERROR(positive(path + ".latency_ms.median", p.latency_ms.median));
  }
  return Status::ok();
}

Status check_model(detail::ModelRole role, const CostModel& m) {
  const std::string path(detail::model_key(role));
  if (m.terms != detail::model_terms(role))
    return fail(path, "has the wrong set of terms for this model");
  bool any_positive = false;
  int fitted = 0;
  for (int t = 0; t < kNumTerms; ++t) {
    const Term term = static_cast<Term>(t);
    if (!m.uses(term)) continue;
    const std::string key = path + ".coefficients." + detail::coefficient_key(role, term);
    GR_RETURN_IF_ERROR(at_least(key, m.coef[t], 0));
    if (m.state[t] != TermState::kFitted && m.coef[t] != 0) {
      return fail(key, "is " + num(m.coef[t]) + " but listed in " +
                           std::string(term_state_name(m.state[t])) + "; must be 0");
    }
    if (m.state[t] == TermState::kFitted) ++fitted;
    if (m.coef[t] > 0) any_positive = true;
  }
  if (!any_positive) return fail(path + ".coefficients", "are all 0; the model predicts nothing");
  if (m.method == FitMethod::kAnalytic) {
    if (m.fit) return fail(path + ".fit", "must be null for method analytic (nothing was fitted)");
    if (fitted != std::popcount(m.terms)) {
      return fail(path + ".clamped_to_zero",
                  "must be empty for method analytic, as must not_identified");
    }
    return Status::ok();
  }
  if (!m.fit) return fail(path + ".fit", "is required for method nnls");
  const FitStats& f = *m.fit;
  if (f.n < std::max(fitted, 1)) {
    return fail(path + ".fit.n", "must be >= the fitted terms (" +
                                     std::to_string(std::max(fitted, 1)) + ", is " +
                                     std::to_string(f.n) + ")");
  }
  if (!std::isfinite(f.r2) || f.r2 > 1.0 + 1e-9)
    return fail(path + ".fit.r2", "must be <= 1 (is " + num(f.r2) + ")");
  GR_RETURN_IF_ERROR(at_least(path + ".fit.mape_pct", f.mape_pct, 0));
  GR_RETURN_IF_ERROR(at_least(path + ".fit.rmse", f.rmse, 0));
  return Status::ok();
}

Status check_batches(const DeviceProfile& p) {
  GR_RETURN_IF_ERROR(at_least("knee_batch", p.knee_batch, 1));
  GR_RETURN_IF_ERROR(at_least("max_batch_fits", p.max_batch_fits, 1));
  GR_RETURN_IF_ERROR(at_least("best_batch.energy", p.best_batch.energy, 1));
  GR_RETURN_IF_ERROR(at_least("best_batch.latency", p.best_batch.latency, 1));
  GR_RETURN_IF_ERROR(at_least("best_batch.throughput", p.best_batch.throughput, 1));
  if (p.saturation_batch) {
    const int sat = *p.saturation_batch;
    GR_RETURN_IF_ERROR(at_least("saturation_batch", sat, 2));
    // Every preferred batch is chosen among sizes below saturation.
    const std::pair<const char*, int> below[] = {
        {"knee_batch", p.knee_batch},
        {"best_batch.energy", p.best_batch.energy},
        {"best_batch.latency", p.best_batch.latency},
        {"best_batch.throughput", p.best_batch.throughput}};
    for (const auto& [field, v] : below) {
      if (v >= sat) {
        return fail(field, "must be < saturation_batch (" + std::to_string(v) +
                               " >= " + std::to_string(sat) + ")");
      }
    }
  }
  return Status::ok();
}

Status check_identity(const DeviceProfile& p) {
  GR_RETURN_IF_ERROR(check_created_at(p.created_at));
  GR_RETURN_IF_ERROR(nonempty("greenroute_version", p.greenroute_version));
  GR_RETURN_IF_ERROR(nonempty("device.name", p.device.name));
  if (p.device.accelerator.empty() && p.device.cpu.empty()) {
    return fail("device", "accelerator and cpu are both empty; describe at least one");
  }
  GR_RETURN_IF_ERROR(at_least("device.threads", p.device.threads, 0));
  GR_RETURN_IF_ERROR(
      at_least("device.memory_bytes", static_cast<double>(p.device.memory_bytes), 1));
  GR_RETURN_IF_ERROR(nonempty("model.name", p.model.name));
  GR_RETURN_IF_ERROR(nonempty("model.architecture", p.model.architecture));
  GR_RETURN_IF_ERROR(at_least("model.parameters", static_cast<double>(p.model.parameters), 1));
  GR_RETURN_IF_ERROR(nonempty("model.weight_type", p.model.weight_type));
  GR_RETURN_IF_ERROR(nonempty("model.file", p.model.file));
  if (p.model.file.find('/') != std::string::npos)
    return fail("model.file", "must be a file name, not a path");
  GR_RETURN_IF_ERROR(at_least("model.file_bytes", static_cast<double>(p.model.file_bytes), 1));
  GR_RETURN_IF_ERROR(nonempty("meter.name", p.meter.name));
  if (p.kind == ProfileKind::kReference && p.meter.measured) {
    return fail("meter.measured", "must be false: a reference profile is derived, not metered");
  }
  return at_least("idle_watts", p.idle_watts, 0);
}

}  // namespace

core::Status validate_profile(const DeviceProfile& p) {
  GR_RETURN_IF_ERROR(check_identity(p));
  if (p.kind == ProfileKind::kMeasured && p.sweep.empty()) {
    return fail("sweep", "must not be empty in a measured profile");
  }
  for (std::size_t i = 0; i < p.sweep.size(); ++i) {
    const std::string path = "sweep[" + std::to_string(i) + "]";
    GR_RETURN_IF_ERROR(check_sweep_point(path, p.sweep[i], p.kind));
    if (i > 0) {
      const SweepPoint& a = p.sweep[i - 1];
      const SweepPoint& b = p.sweep[i];
      if (std::pair(a.batch_size, a.max_tokens) >= std::pair(b.batch_size, b.max_tokens)) {
        return fail(path,
                    "must come after sweep[" + std::to_string(i - 1) +
                        "]: points are sorted by (batch_size, max_tokens) without duplicates");
      }
    }
  }
  for (detail::ModelRole role : detail::kModelRoles)
    GR_RETURN_IF_ERROR(check_model(role, detail::model_of(p, role)));
  GR_RETURN_IF_ERROR(check_batches(p));
  if (p.embodied) {
    GR_RETURN_IF_ERROR(at_least("embodied_carbon.total_kg", p.embodied->total_kg, 0));
    GR_RETURN_IF_ERROR(positive("embodied_carbon.lifetime_hours", p.embodied->lifetime_hours));
  }
  std::set<std::string> ids;
  for (std::size_t i = 0; i < p.sources.size(); ++i) {
    const std::string path = "sources[" + std::to_string(i) + "]";
    GR_RETURN_IF_ERROR(nonempty(path + ".id", p.sources[i].id));
    GR_RETURN_IF_ERROR(nonempty(path + ".title", p.sources[i].title));
    if (!ids.insert(p.sources[i].id).second)
      return fail(path + ".id", "'" + p.sources[i].id + "' is used twice");
  }
  if (p.kind == ProfileKind::kReference && p.sources.empty()) {
    return fail("sources",
                "must not be empty: a reference profile cites where its figures come from");
  }
  return core::Status::ok();
}

}  // namespace greenroute::profile
