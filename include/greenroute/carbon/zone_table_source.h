// ZoneTableSource: built-in yearly average intensities per country/zone, for
// when no time series or live API is configured. The figures, their source
// and year are listed at the top of src/carbon/zone_table_source.cc.
// Thread-safe: the table is a constant.
#pragma once

#include <span>
#include <string_view>

#include "greenroute/carbon/carbon_source.h"

namespace greenroute::carbon {

struct ZoneTableEntry {
  std::string_view zone;  // Electricity Maps zone id / ISO 3166-1 alpha-2
  double g_co2_per_kwh;   // lifecycle, yearly average
  int year;
  std::string_view origin;  // short citation
};

class ZoneTableSource final : public CarbonSource {
 public:
  std::string_view name() const override { return "zone-table"; }
  // Zone ids match case-insensitively. Unknown zone: kNotFound naming the
  // zone and listing known ones. at_unix_s echoes the requested time: a
  // yearly average describes every hour alike.
  core::Result<Intensity> intensity(std::string_view zone, std::int64_t at_unix_s) override;

  static std::span<const ZoneTableEntry> entries();
};

}  // namespace greenroute::carbon
