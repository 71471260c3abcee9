// Phase 5 of `greenroute experiment`: simulated clusters built from the
// reference profiles (experiment_sims.cc).
//
// Thread contract: pure functions of their arguments (they write only under
// plan.out_dir/sims); run on the caller's thread.
#pragma once

#include "experiment.h"

namespace greenroute::cli::experiment {

// The reference study's cluster: a Jetson Orin NX 8 GB on a clean grid and an
// RTX 2000 Ada 16 GB on a dirtier one, Poisson arrivals near the RTX's
// capacity, every policy of the plan over its seeds (first seed's batches
// recorded).
core::Result<report::SimScenario> simulate_reference_study(const Plan& plan, const ZoneCatalog& catalog,
                                                           const ProgressSink& progress);

// plan.large_nodes devices (three Jetsons to one RTX) spread over the
// catalog's zones, diurnal arrivals over plan.large_hours.
core::Result<report::SimScenario> simulate_large_cluster(const Plan& plan, const ZoneCatalog& catalog,
                                                         const ProgressSink& progress);

}  // namespace greenroute::cli::experiment
