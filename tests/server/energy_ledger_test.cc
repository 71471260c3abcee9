// EnergyLedger: the accounting rule, on a fake constant-power meter and a
// manual clock (deterministic: the sampler is driven by sample_once()).
#include "energy_ledger.h"

#include <gtest/gtest.h>

#include <memory>

#include "greenroute/power/power_meter.h"
#include "node_impl.h"

namespace greenroute::server {
namespace {

class ConstantMeter final : public power::PowerMeter {
 public:
  ConstantMeter(const core::Clock& clock, double watts) : clock_(clock), watts_(watts) {
    info_.name = "fake";
    info_.sensor = "constant";
    info_.measured = false;
  }
  const power::MeterInfo& info() const override { return info_; }
  core::Result<power::PowerReading> read() override {
    power::PowerReading r;
    r.time_ns = clock_.now_ns();
    r.watts = watts_;
    return r;
  }

 private:
  const core::Clock& clock_;
  double watts_;
  power::MeterInfo info_;
};

constexpr std::int64_t kSecond = 1'000'000'000;

class EnergyLedgerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = power::PowerSampler::create(std::make_unique<ConstantMeter>(clock_, 10.0), clock_);
    ASSERT_TRUE(s.is_ok());
    sampler_ = std::move(s).value();
    ASSERT_TRUE(sampler_->sample_once().is_ok());
  }
  void advance_and_sample(std::int64_t ns) {
    clock_.advance_ns(ns);
    ASSERT_TRUE(sampler_->sample_once().is_ok());
  }

  core::ManualClock clock_{5 * kSecond};
  std::unique_ptr<power::PowerSampler> sampler_;
};

TEST_F(EnergyLedgerTest, SplitsWindowsByTokensAndEquallyWithoutTokens) {
  EnergyLedger ledger(sampler_.get(), clock_);
  ledger.open(1);
  ledger.open(2);
  ledger.add_tokens(1, 2, 1);  // weight 3
  ledger.add_tokens(2, 0, 1);  // weight 1
  advance_and_sample(kSecond);
  const EnergyLedger::Charge a = ledger.finish(1);  // closes [0 s, 1 s]: 10 J, 3:1
  EXPECT_TRUE(a.measured);
  EXPECT_NEAR(a.joules, 7.5, 1e-9);
  advance_and_sample(kSecond);
  // Request 2 alone, no tokens in this window (e.g. a long prefill): all of it.
  const EnergyLedger::Charge b = ledger.finish(2);
  EXPECT_NEAR(b.joules, 2.5 + 10.0, 1e-9);
  const EnergyLedger::Totals t = ledger.totals();
  EXPECT_NEAR(t.device_joules, 20.0, 1e-9);
  EXPECT_NEAR(t.attributed_joules, 20.0, 1e-9);
  EXPECT_NEAR(t.unattributed_joules, 0.0, 1e-9);
  EXPECT_EQ(t.open_requests, 0u);
}

TEST_F(EnergyLedgerTest, IdleWindowsAreChargedToNobody) {
  EnergyLedger ledger(sampler_.get(), clock_);
  advance_and_sample(2 * kSecond);
  ledger.tick();
  ledger.open(7);  // opens after the idle time: not charged for it
  advance_and_sample(kSecond);
  EXPECT_NEAR(ledger.finish(7).joules, 10.0, 1e-9);
  const EnergyLedger::Totals t = ledger.totals();
  EXPECT_NEAR(t.unattributed_joules, 20.0, 1e-9);
  EXPECT_NEAR(t.attributed_joules + t.unattributed_joules, t.device_joules, 1e-9);
}

TEST_F(EnergyLedgerTest, SamplesWhenTheNewestReadingIsTooOld) {
  EnergyLedger ledger(sampler_.get(), clock_);
  ledger.open(1);
  clock_.advance_ns(kSecond);  // no sample yet: the ledger takes one
  const EnergyLedger::Charge c = ledger.finish(1);
  EXPECT_TRUE(c.measured);
  EXPECT_NEAR(c.joules, 10.0, 1e-9);
}

TEST_F(EnergyLedgerTest, NoMeterMeansUnmeasured) {
  EnergyLedger ledger(nullptr, clock_);
  ledger.open(1);
  clock_.advance_ns(kSecond);
  const EnergyLedger::Charge c = ledger.finish(1);
  EXPECT_FALSE(c.measured);
  EXPECT_EQ(ledger.totals().device_joules, 0.0);
}

TEST_F(EnergyLedgerTest, UnknownKeysAreIgnored) {
  EnergyLedger ledger(sampler_.get(), clock_);
  ledger.add_tokens(99, 1, 1);
  advance_and_sample(kSecond);
  EXPECT_FALSE(ledger.finish(99).measured);
}

}  // namespace
}  // namespace greenroute::server
