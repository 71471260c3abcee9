#include "greenroute/carbon/accounting.h"

#include "greenroute/core/units.h"

namespace greenroute::carbon {

double grams_co2(double energy_j, double g_co2_per_kwh, double pue) {
  // PUE scales the energy drawn from the grid: facility energy = IT energy x PUE.
  return core::grams_co2(energy_j * pue, g_co2_per_kwh);
}

double embodied_grams(const EmbodiedCarbon& embodied, double duration_s) {
  if (embodied.lifetime_hours <= 0.0 || duration_s <= 0.0) return 0.0;
  const double grams_per_hour = embodied.total_kg * 1000.0 / embodied.lifetime_hours;
  return grams_per_hour * duration_s / 3600.0;
}

}  // namespace greenroute::carbon
