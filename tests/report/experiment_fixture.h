// ExperimentData for the report tests: a small one with hand-computed
// figures, and a realistic one (the shape `greenroute experiment` produces)
// whose simulations are run by the real simulator.
#pragma once

#include "greenroute/core/status.h"
#include "greenroute/report/experiment_report.h"

namespace greenroute::report::testing_util {

// Figures chosen so the headline is known exactly:
//   live (baseline greedy-fastest): carbon-aware 6.5 g vs 10 g -> 35% less;
//     latency-aware 160 ms vs 400 ms -> 2.5x faster;
//   sim "reference-study" (means over 3 seeds): carbon-aware 80 g vs 100 g ->
//     20% less; latency-aware 300 ms vs 900 ms -> 3x faster; first seed
//     alone: 75 g vs 110 g, 280 ms vs 980 ms.
//   bench: batch 1, 2, 4, 8 at 32 output tokens, knee batch 2, estimated.
//   validation: greedy-fastest within 15%, carbon-aware energy -20%.
ExperimentData small_experiment();

// What a full run on this 2-core machine looks like: the stories260K bench
// from docs/bench.md, three live node agents in SE, DE and PL replaying 24
// prompts under four policies, validation rows, and two simulations (the
// reference study's Jetson + RTX pair over 24 h, and 24 devices in 6 zones)
// run by sim::compare_policies / compare_over_seeds on the reference profiles
// with diurnal grid intensity. Needs profiles/ in the source tree.
core::Result<ExperimentData> realistic_experiment();

}  // namespace greenroute::report::testing_util
