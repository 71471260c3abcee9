#include <gtest/gtest.h>

#include "greenroute/carbon/accounting.h"
#include "greenroute/carbon/static_source.h"
#include "greenroute/carbon/zone_table_source.h"

namespace greenroute::carbon {
namespace {

TEST(StaticSource, AnyZoneReturnsTheValueWithProvenance) {
  StaticSource src(123.5);
  auto r = src.intensity("XX", 1'700'000'000);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_DOUBLE_EQ(r->g_co2_per_kwh, 123.5);
  EXPECT_EQ(r->zone, "XX");
  EXPECT_EQ(r->at_unix_s, 1'700'000'000);
  EXPECT_EQ(r->source, "static");
  EXPECT_EQ(r->kind, SignalKind::kAverage);
  EXPECT_FALSE(r->stale);
  EXPECT_FALSE(r->forecast);
  EXPECT_FALSE(r->estimated);
  EXPECT_EQ(src.name(), "static");
}

TEST(StaticSource, NegativeValueIsAnError) {
  StaticSource src(-1.0);
  auto r = src.intensity("DE", 0);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), core::StatusCode::kInvalidArgument);
}

TEST(ZoneTableSource, KnownZonesCaseInsensitive) {
  ZoneTableSource table;
  auto de = table.intensity("de", 42);
  ASSERT_TRUE(de.is_ok()) << de.status().to_string();
  EXPECT_DOUBLE_EQ(de->g_co2_per_kwh, 474);
  EXPECT_EQ(de->zone, "DE");
  EXPECT_EQ(de->source, "zone-table");
  EXPECT_EQ(de->basis, Lifecycle::kLifecycle);
  EXPECT_EQ(de->at_unix_s, 42);
  auto in = table.intensity("IN", 0);
  ASSERT_TRUE(in.is_ok());
  EXPECT_DOUBLE_EQ(in->g_co2_per_kwh, 713);
  for (const char* zone : {"DE", "FR", "GB", "NO", "PL", "US-CAL-CISO", "CN", "AU", "FI"}) {
    EXPECT_TRUE(table.intensity(zone, 0).is_ok()) << zone;
  }
}

TEST(ZoneTableSource, EntriesAreSaneAndUnique) {
  const auto entries = ZoneTableSource::entries();
  ASSERT_GE(entries.size(), 20u);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    EXPECT_GT(entries[i].g_co2_per_kwh, 0.0) << entries[i].zone;
    EXPECT_LT(entries[i].g_co2_per_kwh, 1200.0) << entries[i].zone;
    EXPECT_GE(entries[i].year, 2020);
    EXPECT_FALSE(entries[i].origin.empty());
    for (std::size_t j = i + 1; j < entries.size(); ++j) EXPECT_NE(entries[i].zone, entries[j].zone);
  }
}

TEST(ZoneTableSource, UnknownZoneNamesItAndListsKnownOnes) {
  ZoneTableSource table;
  auto r = table.intensity("ATLANTIS", 0);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), core::StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("ATLANTIS"), std::string::npos);
  EXPECT_NE(r.status().message().find("DE"), std::string::npos);
}

TEST(Accounting, GramsFromJoulesAndPue) {
  // 3.6 MJ = 1 kWh.
  EXPECT_DOUBLE_EQ(grams_co2(3.6e6, 400.0), 400.0);
  EXPECT_DOUBLE_EQ(grams_co2(1.8e6, 400.0, 1.5), 300.0);
  EXPECT_DOUBLE_EQ(grams_co2(0.0, 400.0), 0.0);
}

TEST(Accounting, EmbodiedAmortisedPerHour) {
  // 100 kg over 10,000 h = 10 g/h; 30 minutes -> 5 g.
  EmbodiedCarbon e{100.0, 10'000.0};
  EXPECT_DOUBLE_EQ(embodied_grams(e, 1800.0), 5.0);
  EXPECT_DOUBLE_EQ(embodied_grams(e, 0.0), 0.0);
  EXPECT_DOUBLE_EQ(embodied_grams(EmbodiedCarbon{100.0, 0.0}, 3600.0), 0.0);
}

}  // namespace
}  // namespace greenroute::carbon
