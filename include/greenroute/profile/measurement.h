// What one benchmark run measured: a batch of prompts run together on one
// device, the row of measurements.csv and the input of profile fitting.
// Plain values; thread-compatible.
#pragma once

#include <cstdint>
#include <string>

namespace greenroute::profile {

struct RunMeasurement {
  // The sweep point.
  int batch_size = 0;  // prompts run together (continuous batching, at most this many at once)
  int max_tokens = 0;  // output length asked for
  int repeat = 0;      // 0-based repeat index (warm-up runs are not recorded)
  // What ran.
  int prompts = 0;                  // prompts in this run (== batch_size unless the prompt set ran out)
  double mean_prompt_tokens = 0;    // per prompt
  double mean_output_tokens = 0;    // per prompt, as generated (EOS can stop early)
  std::int64_t total_prompt_tokens = 0;
  std::int64_t total_output_tokens = 0;
  // Time.
  double latency_ms = 0;            // the batch, first submit to last token
  double ttft_ms_median = 0;        // per prompt, from submission
  double ttft_ms_max = 0;
  double prompt_latency_ms_median = 0;  // per prompt end-to-end, from submission
  double output_tokens_per_s_median = 0;  // per prompt, generated tokens / (end-to-end - ttft)
  double throughput_tokens_per_s = 0;     // the batch: total output tokens / latency
  // Energy (see energy_source for measured vs estimated).
  double joules = 0;                // the device over the run's window
  double joules_per_prompt = 0;
  double joules_per_output_token = 0;
  double mean_watts = 0;
  double peak_watts = 0;
  std::string energy_source;        // "measured:<meter>" or "estimated:<meter>"
  // Memory.
  std::uint64_t predicted_bytes = 0;  // the engine's memory model for this batch
  std::uint64_t peak_rss_bytes = 0;   // the process, after the run
  // Carbon at the zone's intensity during the run (0 when no zone was given).
  double intensity_g_per_kwh = 0;
  double grams_co2_per_prompt = 0;
  // A batch the memory model refused or whose allocation failed: only
  // batch_size, max_tokens, predicted_bytes and `note` are meaningful.
  bool saturated = false;
  std::string note;
};

}  // namespace greenroute::profile
