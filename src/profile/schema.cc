#include "profile/schema.h"

namespace greenroute::profile::detail {
namespace {

std::string_view unit_suffix(ModelRole role) {
  return role == ModelRole::kEnergy ? "_j" : "_ms";
}

std::string_view term_stem(Term term) {
  switch (term) {
    case Term::kFixed:
      return "fixed";
    case Term::kPrefillToken:
      return "per_prefill_token";
    case Term::kDecodeStep:
      return "per_step";
    case Term::kSequenceStep:
      return "per_sequence_step";
  }
  return "?";
}

}  // namespace

std::string_view model_key(ModelRole role) {
  switch (role) {
    case ModelRole::kLatency:
      return "latency_model";
    case ModelRole::kEnergy:
      return "energy_model";
    case ModelRole::kTtft:
      return "ttft_model";
  }
  return "?";
}

unsigned model_terms(ModelRole role) {
  return role == ModelRole::kTtft ? kTtftTerms : kAllTerms;
}

const CostModel& model_of(const DeviceProfile& p, ModelRole role) {
  switch (role) {
    case ModelRole::kLatency:
      return p.latency_model;
    case ModelRole::kEnergy:
      return p.energy_model;
    case ModelRole::kTtft:
      break;
  }
  return p.ttft_model;
}

CostModel& model_of(DeviceProfile& p, ModelRole role) {
  return const_cast<CostModel&>(model_of(static_cast<const DeviceProfile&>(p), role));
}

std::string coefficient_key(ModelRole role, Term term) {
  return std::string(term_stem(term)) + std::string(unit_suffix(role));
}

std::optional<Term> term_from_key(ModelRole role, std::string_view key) {
  for (int t = 0; t < kNumTerms; ++t) {
    const Term term = static_cast<Term>(t);
    if ((model_terms(role) & term_bit(term)) != 0 && coefficient_key(role, term) == key)
      return term;
  }
  return std::nullopt;
}

std::string_view fit_method_name(FitMethod method) {
  return method == FitMethod::kAnalytic ? "analytic" : "nnls";
}

}  // namespace greenroute::profile::detail
