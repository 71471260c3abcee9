#include "greenroute/profile/profile.h"

namespace greenroute::profile {

std::string_view greenroute_version() {
  return GREENROUTE_VERSION;
}

std::string_view profile_kind_name(ProfileKind kind) {
  return kind == ProfileKind::kReference ? "reference" : "measured";
}

double DeviceProfile::predict_energy_per_prompt_j(int batch, double prompt_tokens,
                                                  double output_tokens) const {
  if (batch <= 0) return 0.0;
  return predict_energy_j(batch, prompt_tokens, output_tokens) / batch;
}

double DeviceProfile::predict_ttft_ms(int batch, double prompt_tokens) const {
  // The TTFT form has no decode terms; N is irrelevant.
  return ttft_model.predict(batch, prompt_tokens, 0.0);
}

double DeviceProfile::embodied_grams(double duration_s) const {
  return embodied ? carbon::embodied_grams(*embodied, duration_s) : 0.0;
}

}  // namespace greenroute::profile
