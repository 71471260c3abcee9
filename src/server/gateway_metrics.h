// The gateway's Prometheus metrics (docs/server.md lists them): families
// registered once in a MetricsRegistry; per-node gauges are refreshed from
// live state by a collect hook (gateway.cc).
//
// Thread contract: the families are thread-safe (metrics.h).
#pragma once

#include "greenroute/server/metrics.h"

namespace greenroute::server {

struct GatewayMetrics {
  explicit GatewayMetrics(MetricsRegistry& r)
      : requests(r.counter("greenroute_gateway_requests_total",
                           "Requests answered by the gateway, by endpoint, policy, node that "
                           "served them and HTTP status.",
                           {"endpoint", "policy", "node", "code"})),
        duration(r.histogram("greenroute_gateway_request_duration_seconds",
                             "Time from request arrival to the last byte of its answer.",
                             exponential_buckets(0.005, 2, 14), {"endpoint"})),
        decision(
            r.histogram("greenroute_gateway_routing_decision_seconds",
                        "Time to make one routing decision (snapshot, policy, counterfactual).",
                        exponential_buckets(1e-6, 2, 16))),
        retries(r.counter(
            "greenroute_gateway_retries_total",
            "Requests sent to another node after the chosen one failed before the first byte.",
            {"reason"})),
        rejected(r.counter("greenroute_gateway_rejected_total",
                           "Requests refused before routing, by reason (queue_full, too_large, "
                           "no_node, shutting_down).",
                           {"reason"})),
        prediction_error(r.histogram(
            "greenroute_gateway_prediction_error_ratio",
            "Relative error |predicted - observed| / observed of the chosen node's prediction.",
            {0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10}, {"quantity"})),
        mape(r.gauge("greenroute_gateway_prediction_mape_percent",
                     "Exponentially weighted mean absolute percentage error of a node's corrected "
                     "predictions.",
                     {"node", "quantity"})),
        correction(r.gauge("greenroute_gateway_correction_ratio",
                           "A node's online correction factor (observed / profile-predicted).",
                           {"node", "quantity"})),
        energy(r.counter("greenroute_gateway_energy_joules_total",
                         "Energy of the requests served, as the nodes reported it in usage.",
                         {"node"})),
        carbon(r.counter("greenroute_gateway_carbon_grams_total",
                         "gCO2e of the requests served, as the nodes reported it in usage.",
                         {"node"})),
        predicted_carbon(r.counter(
            "greenroute_gateway_predicted_carbon_grams_total",
            "Predicted gCO2e of routed requests: the policy's choice (actual) and the baseline's.",
            {"side"})),
        predicted_latency(
            r.counter("greenroute_gateway_predicted_latency_seconds_total",
                      "Predicted completion time of routed requests: actual choice and baseline's.",
                      {"side"})),
        carbon_saved(r.gauge(
            "greenroute_gateway_counterfactual_carbon_saved_grams",
            "Predicted gCO2e saved against the baseline policy, summed (negative: more emitted).")),
        latency_gained(r.gauge("greenroute_gateway_counterfactual_latency_gained_seconds",
                               "Predicted completion time gained against the baseline policy, "
                               "summed (negative: slower).")),
        queue_requests(r.gauge("greenroute_gateway_queue_requests",
                               "Requests admitted by the gateway and not yet answered.")),
        queue_tokens(r.gauge("greenroute_gateway_queue_tokens",
                             "Tokens (prompt estimate + max output) of the requests admitted and "
                             "not yet answered.")),
        node_healthy(r.gauge("greenroute_gateway_node_healthy",
                             "1 when the node is routable, 0 when ejected.", {"node", "zone"})),
        node_in_flight(r.gauge(
            "greenroute_gateway_node_in_flight",
            "Prompts the gateway has forwarded to the node and not yet seen answered.", {"node"})),
        node_intensity(r.gauge("greenroute_gateway_node_intensity_g_per_kwh",
                               "The node's grid carbon intensity as the gateway last saw it.",
                               {"node"})),
        ejections(r.counter("greenroute_gateway_node_ejections_total",
                            "Times a node was ejected after consecutive failures.", {"node"})),
        batches(r.counter("greenroute_gateway_batches_total",
                          "Groups released by the gateway batcher (batch_window_ms > 0).")),
        batch_size(r.histogram("greenroute_gateway_batch_size",
                               "Prompts per group released by the gateway batcher.",
                               {1, 2, 4, 8, 16, 32, 64})),
        batch_energy_saved(r.counter(
            "greenroute_gateway_batch_predicted_energy_saved_joules_total",
            "Energy the profiles predict grouping saved against running members apart.")) {}

  CounterFamily& requests;
  HistogramFamily& duration;
  HistogramFamily& decision;
  CounterFamily& retries;
  CounterFamily& rejected;
  HistogramFamily& prediction_error;
  GaugeFamily& mape;
  GaugeFamily& correction;
  CounterFamily& energy;
  CounterFamily& carbon;
  CounterFamily& predicted_carbon;
  CounterFamily& predicted_latency;
  GaugeFamily& carbon_saved;
  GaugeFamily& latency_gained;
  GaugeFamily& queue_requests;
  GaugeFamily& queue_tokens;
  GaugeFamily& node_healthy;
  GaugeFamily& node_in_flight;
  GaugeFamily& node_intensity;
  CounterFamily& ejections;
  CounterFamily& batches;
  HistogramFamily& batch_size;
  CounterFamily& batch_energy_saved;
};

}  // namespace greenroute::server
