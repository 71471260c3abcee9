// Names shared by the profile.json reader, writer and validator, so a field
// is spelled once. Private to src/profile.
// Thread-safe: pure functions over constants.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "greenroute/profile/fit.h"
#include "greenroute/profile/profile.h"

namespace greenroute::profile::detail {

// The three cost models of a profile and their units.
enum class ModelRole { kLatency, kEnergy, kTtft };
inline constexpr ModelRole kModelRoles[] = {ModelRole::kLatency, ModelRole::kEnergy,
                                            ModelRole::kTtft};

// "latency_model", "energy_model", "ttft_model".
std::string_view model_key(ModelRole role);
// The terms the role's form uses (kAllTerms or kTtftTerms).
unsigned model_terms(ModelRole role);
const CostModel& model_of(const DeviceProfile& p, ModelRole role);
CostModel& model_of(DeviceProfile& p, ModelRole role);

// "fixed_ms", "per_prefill_token_j", "per_step_ms", "per_sequence_step_j".
std::string coefficient_key(ModelRole role, Term term);
// The term a coefficient key names in this role, if any.
std::optional<Term> term_from_key(ModelRole role, std::string_view key);

std::string_view fit_method_name(FitMethod method);

}  // namespace greenroute::profile::detail
