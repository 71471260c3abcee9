// The end of `greenroute experiment`: comparison tables on stdout, or the
// --json summary (experiment_output.cc).
//
// Thread contract: pure functions (printing writes to stdout only).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "experiment.h"

namespace greenroute::cli::experiment {

// Local benchmark, live cluster and runs, validation, each simulated
// scenario, and our headline figures beside the reference study's.
void print_experiment_tables(const report::ExperimentData& data, const LocalProfiles& local);

// The same figures as one JSON object (the report directory's
// experiment.json has every figure; this is the summary).
nlohmann::json experiment_summary_json(const report::ExperimentData& data, const std::string& report_dir);

}  // namespace greenroute::cli::experiment
