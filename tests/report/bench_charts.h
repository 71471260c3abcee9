// Charts shaped like those `greenroute bench` draws, shared by the report
// tests: a log2 batch-size axis, spread over repeats, the knee and the
// saturation point marked.
#pragma once

#include "greenroute/report/svg_chart.h"

namespace greenroute::report::testing_util {

// Joules per prompt falling with batch size, for two devices, with min/max
// over repeats; the knee at batch 4 and memory saturation at batch 32.
inline LineChart joules_per_prompt_chart() {
  LineChart c;
  c.title = "Energy per prompt vs batch size";
  c.subtitle = "smollm2-135m q8_0, 64 output tokens";
  c.footnote = "energy ESTIMATED by cpu-estimate; 3 repeats, bars show min to max";
  c.x_label = "batch size (prompts)";
  c.y_label = "joules per prompt (J)";
  c.log2_x = true;
  c.y_from_zero = true;
  Series cpu;
  cpu.name = "cpu (8 threads)";
  cpu.x = {1, 2, 4, 8, 16, 32};
  cpu.y = {9.1, 5.2, 3.1, 2.6, 2.4, 2.35};
  cpu.y_low = {8.7, 5.0, 2.9, 2.5, 2.3, 2.3};
  cpu.y_high = {9.6, 5.5, 3.3, 2.8, 2.5, 2.4};
  Series gpu;
  gpu.name = "rtx 2000 ada (reference)";
  gpu.x = {1, 2, 4, 8, 16, 32};
  gpu.y = {4.0, 2.2, 1.3, 0.9, 0.75, 0.7};
  gpu.style = SeriesStyle::kMarkers;
  c.series = {cpu, gpu};
  c.markers = {{4, "knee: batch 4"}, {32, "saturated: batch 32"}};
  return c;
}

// Latency rising with batch size, with a latency SLO.
inline LineChart latency_chart() {
  LineChart c;
  c.title = "Latency vs batch size";
  c.x_label = "batch size (prompts)";
  c.y_label = "latency p50 (ms)";
  c.log2_x = true;
  Series s;
  s.name = "cpu";
  s.x = {1, 2, 4, 8, 16, 32};
  s.y = {410, 450, 520, 700, 1150, 2100};
  c.series = {s};
  c.reference_lines = {{1500, "SLO 1.5 s"}};
  c.markers = {{16, "saturated: batch 16"}};
  return c;
}

}  // namespace greenroute::report::testing_util
