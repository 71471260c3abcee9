// The node agent's Prometheus metrics: one place that names them all, so
// docs/server.md and dashboards have a single list to follow.
//
// Latencies are in seconds and energies in joules (Prometheus base units);
// counters end in _total.
//
// Thread contract: thread-safe (the families are).
#pragma once

#include "greenroute/server/metrics.h"

namespace greenroute::server {

struct NodeMetrics {
  explicit NodeMetrics(MetricsRegistry& r)
      : requests(r.counter("greenroute_node_requests_total", "Completion requests answered, by endpoint and HTTP status.",
                           {"endpoint", "code"})),
        prompt_tokens(r.counter("greenroute_node_prompt_tokens_total", "Prompt tokens processed.")),
        completion_tokens(r.counter("greenroute_node_completion_tokens_total", "Tokens generated.")),
        request_energy(r.counter("greenroute_node_request_energy_joules_total",
                                 "Energy charged to requests (their shares of the metering windows), joules.")),
        device_energy(r.counter("greenroute_node_device_energy_joules_total",
                                "Energy the meter measured (or estimated) since the node started, joules.")),
        carbon(r.counter("greenroute_node_carbon_grams_total", "Operational gCO2e charged to requests.")),
        queue_requests(r.gauge("greenroute_node_queue_requests", "Prompts waiting for a batch slot.")),
        queue_tokens(r.gauge("greenroute_node_queue_tokens", "Prompt plus max_tokens of the waiting prompts.")),
        running(r.gauge("greenroute_node_running_sequences", "Sequences in the running batch.")),
        in_flight(r.gauge("greenroute_node_in_flight_requests", "HTTP completion requests being served.")),
        power(r.gauge("greenroute_node_power_watts", "Device power at the latest meter reading.")),
        intensity(r.gauge("greenroute_node_grid_intensity_grams_per_kwh",
                          "Grid carbon intensity of the node's zone now, gCO2e/kWh.")),
        memory_used(r.gauge("greenroute_node_memory_used_bytes", "Weights, compute scratch and allocated KV cache.")),
        memory_limit(r.gauge("greenroute_node_memory_limit_bytes", "The memory budget admission works to (0: none).")),
        duration(r.histogram("greenroute_node_request_duration_seconds", "Time from request to last byte.",
                             exponential_buckets(0.005, 2, 16), {"endpoint"})),
        ttft(r.histogram("greenroute_node_time_to_first_token_seconds", "Time from request to first token.",
                         exponential_buckets(0.002, 2, 16), {"endpoint"})),
        energy(r.histogram("greenroute_node_request_energy_joules", "Energy charged per request, joules.",
                           exponential_buckets(0.01, 2, 20), {"endpoint"})) {}

  CounterFamily& requests;
  CounterFamily& prompt_tokens;
  CounterFamily& completion_tokens;
  CounterFamily& request_energy;
  CounterFamily& device_energy;
  CounterFamily& carbon;
  GaugeFamily& queue_requests;
  GaugeFamily& queue_tokens;
  GaugeFamily& running;
  GaugeFamily& in_flight;
  GaugeFamily& power;
  GaugeFamily& intensity;
  GaugeFamily& memory_used;
  GaugeFamily& memory_limit;
  HistogramFamily& duration;
  HistogramFamily& ttft;
  HistogramFamily& energy;
};

}  // namespace greenroute::server
