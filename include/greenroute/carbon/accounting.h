// Carbon accounting: operational emissions from energy and intensity, and a
// device's embodied (manufacturing) carbon amortised over its use.
// Thread-safe: pure functions.
#pragma once

namespace greenroute::carbon {

// gCO2e for `energy_j` joules drawn at the device, scaled by the site's
// power usage effectiveness (facility energy / IT energy, >= 1).
double grams_co2(double energy_j, double g_co2_per_kwh, double pue = 1.0);

struct EmbodiedCarbon {
  double total_kg = 0.0;        // manufacturing + transport + end of life
  double lifetime_hours = 0.0;  // the hours of use it is spread over
};

// Grams of embodied carbon attributed to `duration_s` seconds of use:
// linear amortisation, total / lifetime per hour. 0 when lifetime_hours <= 0
// (no figure known) or duration_s <= 0.
double embodied_grams(const EmbodiedCarbon& embodied, double duration_s);

}  // namespace greenroute::carbon
