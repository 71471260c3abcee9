// Carbon traces for a simulation: a folder of CSV files, one per grid zone
// (DIR/<ZONE>.csv, in either format carbon's CsvTraceSource reads: an
// Electricity Maps hourly export or plain "timestamp,value"), that replaces
// the carbon source of every node in that zone. A zone without a file keeps
// the source its node config names. This is what `greenroute simulate
// --carbon-traces DIR` and the experiment use to drive a simulation with real
// hourly intensity.
//
// Each trace is loaded once, with loop_year on (so one year of history drives
// a simulation of any date) and the given basis and interpolation; a file that
// holds rows for other zones only (an export of the wrong zone) is an error.
//
// Thread contract: pure functions; thread-safe. The sources it installs are
// immutable (thread-safe) once loaded.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "greenroute/carbon/csv_trace_source.h"
#include "greenroute/core/status.h"
#include "greenroute/sim/cluster_sim.h"

namespace greenroute::sim {

struct TraceOptions {
  carbon::Lifecycle basis = carbon::Lifecycle::kLifecycle;  // Electricity Maps column (the zone table's basis)
  carbon::Interpolation interpolation = carbon::Interpolation::kStep;
};

struct ZoneTrace {
  std::string zone;
  std::filesystem::path file;
  std::size_t nodes = 0;        // nodes of the zone now reading it
  std::size_t points = 0;       // the zone's points in the file
  std::int64_t first_unix_s = 0;  // the trace's first point
  std::int64_t last_unix_s = 0;   // and last
};

struct AppliedTraces {
  std::vector<ZoneTrace> traced;           // zones given a trace, in order of first node
  std::vector<std::string> without_trace;  // zones with no DIR/<ZONE>.csv, in order of first node
};

// DIR/<zone>.csv for a zone id; empty when the zone id cannot be a file name
// (empty, "." or "..", or holding '/' or '\').
std::filesystem::path trace_file_for(const std::filesystem::path& dir, const std::string& zone);

// Replaces the carbon source of every node whose zone has a trace in `dir`.
// Errors (kInvalidArgument, naming the path): `dir` missing or not a folder;
// a trace that does not load ("DIR/DE.csv:12: ..."); a trace without rows for
// its zone; no trace at all for any zone of the cluster (the flag would do
// nothing: the message lists the file names looked for). `nodes` is left
// unchanged on error.
core::Result<AppliedTraces> apply_carbon_traces(std::vector<SimNode>& nodes, const std::filesystem::path& dir,
                                                const TraceOptions& options = {});

}  // namespace greenroute::sim
