// report.html: the document, its summary (our headline figures beside the
// reference study's), the local benchmark, notes and how to reproduce. The
// live run, validation and simulation sections are in experiment_html_runs.cc.
#include <cmath>

#include "experiment_parts.h"
#include "experiment_style.h"
#include "html_writer.h"
#include "report_text.h"

namespace greenroute::report {
namespace detail {
namespace {

std::string source_title(const std::string& source) {
  if (source == "live") return "Live run";
  if (source.starts_with("sim:")) return "Simulation \"" + source.substr(4) + "\"";
  return source;
}

std::string source_energy_badge(const ExperimentData& data, const std::string& source) {
  if (source != "live") return sim_energy_badge_html();
  std::string label;
  for (const LivePolicyRun& run : data.live->runs) {
    if (label.empty()) label = run.energy_source;
  }
  return energy_badge_html(label);
}

std::string headline_table_html(const ExperimentData& data, const std::vector<HeadlineRow>& rows) {
  const ReferenceStudy& ref = data.reference;
  std::string out =
      "<div class=\"table-wrap\"><table>\n<caption>Headline figures: ours beside the reference "
      "study's</caption>\n<thead><tr><th scope=\"col\">Source</th><th scope=\"col\" "
      "class=\"num\">Carbon: carbon-aware vs baseline</th><th scope=\"col\" "
      "class=\"num\">Mean latency: latency-aware vs baseline</th><th scope=\"col\">Energy "
      "figures</th></tr></thead>\n<tbody>\n";
  out += "<tr><td class=\"ref\" title=\"" + html_escape(ref.devices) +
         "\">Reference study</td><td class=\"num ref\">about " + html_escape(percent_text(ref.carbon_reduction_pct)) +
         " less</td><td class=\"num ref\">" + html_escape(figure_text(ref.latency_speedup_low)) +
         "-" + html_escape(figure_text(ref.latency_speedup_high)) +
         "x faster</td><td class=\"ref\">as published</td></tr>\n";
  for (const HeadlineRow& row : rows) {
    std::string carbon = "n/a (needs the baseline and carbon-aware)";
    if (row.carbon_reduction_pct.has_value()) {
      const double r = *row.carbon_reduction_pct;
      carbon = percent_text(std::abs(r)) + (r >= 0 ? " less" : " more");
    }
    std::string latency = "n/a (needs the baseline and latency-aware)";
    if (row.latency_speedup.has_value()) latency = speedup_text(*row.latency_speedup);
    out += "<tr><td>" + html_escape(source_title(row.source)) + "</td><td class=\"num\">" +
           html_escape(carbon) + "</td><td class=\"num\">" + html_escape(latency) + "</td><td>" +
           source_energy_badge(data, row.source) + "</td></tr>\n";
  }
  out += "</tbody>\n</table></div>\n";
  return out;
}

std::string knee_table_html(const ExperimentData& data) {
  HtmlTable t;
  t.caption = "Energy-efficiency knee";
  t.headers = {"Source", "Knee (batch size)", "Device", "Energy figures"};
  t.numeric = {false, true, false, false};
  t.rows.push_back({{"Reference study", "ref"},
                    {std::to_string(data.reference.efficiency_knee_batch), "ref"},
                    {data.reference.devices, "ref"},
                    {"as published", "ref"}});
  HtmlCell energy;
  energy.html = energy_badge_html(data.bench.energy_label);
  t.rows.push_back({{"Local benchmark"},
                    {data.bench.knee_batch > 0 ? std::to_string(data.bench.knee_batch) : "none"},
                    {data.bench.device},
                    energy});
  return table_html(t);
}

std::string nav_html(const ExperimentData& data) {
  // Links on lines of their own: the line breaks let a narrow screen wrap them.
  std::string out = "<nav aria-label=\"Sections\">\n<a href=\"#summary\">Summary</a>\n"
                    "<a href=\"#bench\">Local benchmark</a>\n<a href=\"#live\">Live run</a>\n"
                    "<a href=\"#validation\">Live vs simulated</a>\n";
  for (const SimScenario& s : data.simulations) {
    out += "<a href=\"#sim-" + html_escape(file_slug(s.name)) + "\">Simulation: " +
           html_escape(s.name) + "</a>\n";
  }
  out += "<a href=\"#notes\">Notes</a>\n<a href=\"#reproduce\">Reproduce</a>\n</nav>\n";
  return out;
}

std::string notes_section_html(const ExperimentData& data) {
  std::string out = "<section id=\"notes\">\n<h2>Notes</h2>\n";
  if (data.notes.empty()) {
    out += "<p>The experiment recorded no warnings or skipped steps.</p>\n";
  } else {
    out += "<ul class=\"notes\">\n";
    for (const std::string& note : data.notes) out += html_element("li", note) + "\n";
    out += "</ul>\n";
  }
  out += "<p>Energy labels: <span class=\"badge measured\">measured</span> figures were read "
         "from a power sensor (named); <span class=\"badge estimated\">estimated</span> ones "
         "come from a model (named): the CPU-time estimator, or the device profiles in "
         "simulations. Carbon is energy x the grid intensity of the node's zone, so it carries "
         "its energy's label.</p>\n";
  out += "</section>\n";
  return out;
}

std::string reproduce_section_html(const ExperimentData& data) {
  std::string out = "<section id=\"reproduce\">\n<h2>How to reproduce</h2>\n";
  if (data.command_line.empty()) {
    out += "<p class=\"absent\">The command line was not recorded.</p>\n";
  } else {
    out += "<p>Run on " + html_escape(data.machine.empty() ? "an unrecorded machine" : data.machine) +
           ":</p>\n<pre><code>" + html_escape(data.command_line) + "</code></pre>\n";
  }
  out += "<p>This directory holds <code>report.html</code> (this page), "
         "<code>experiment.json</code> (every figure, schema in docs/experiment.md)";
  for (const std::string& name : csv_file_names(data)) out += ", <code>" + html_escape(name) + "</code>";
  out += ". Simulations are deterministic for their seeds; live figures vary from run to run "
         "with the machine's load.</p>\n</section>\n";
  return out;
}

}  // namespace

std::string energy_badge_html(std::string_view label) {
  const EnergyProvenance p = energy_provenance(label);
  const char* cls = p.measured ? "measured" : p.estimated ? "estimated" : "unlabelled";
  return "<span class=\"badge " + std::string(cls) + "\">" + html_escape(p.text()) + "</span>";
}

std::string sim_energy_badge_html() {
  return "<span class=\"badge estimated\">estimated (device profiles, simulated)</span>";
}

std::string table_html(const HtmlTable& table) {
  return "<div class=\"table-wrap\">" + render_html_table(table) + "</div>\n";
}

std::string summary_section_html(const ExperimentData& data) {
  std::string out = "<section id=\"summary\">\n<h2>Summary</h2>\n";
  out += "<p class=\"lead\">The reference study routed prompts on a two-device edge cluster (" +
         html_escape(data.reference.devices) + ") and reported about " +
         html_escape(percent_text(data.reference.carbon_reduction_pct)) +
         " less carbon for carbon-aware routing than a greedy baseline, " +
         html_escape(figure_text(data.reference.latency_speedup_low)) + "-" +
         html_escape(figure_text(data.reference.latency_speedup_high)) +
         "x faster responses for latency-aware routing, and batch " +
         std::to_string(data.reference.efficiency_knee_batch) +
         " as the energy-efficiency knee. This report repeats the comparison here, live and "
         "simulated.</p>\n";
  if (data.mode == "reduced") {
    out += "<p class=\"absent\">Reduced mode: fewer prompts, shorter simulations and fewer seeds "
           "than a full run, so the figures are noisier.</p>\n";
  }
  const std::vector<HeadlineRow> rows = headline_figures(data);
  out += headline_table_html(data, rows);
  out += knee_table_html(data);
  const std::vector<std::string> explanations = headline_explanations(data);
  if (!explanations.empty()) {
    out += "<h3>Where ours differ, and why</h3>\n<div class=\"explain\">\n";
    for (const std::string& e : explanations) out += html_element("p", e) + "\n";
    out += "</div>\n";
  }
  out += "</section>\n";
  return out;
}

std::string bench_section_html(const ExperimentData& data) {
  const LocalBench& b = data.bench;
  std::string out = "<section id=\"bench\">\n<h2>Local benchmark</h2>\n";
  if (b.points.empty()) {
    return out + "<p class=\"absent\">No local benchmark was run (see the notes).</p>\n</section>\n";
  }
  out += "<ul class=\"facts\"><li>Device <b>" + html_escape(b.device) + "</b></li><li>Model <b>" +
         html_escape(b.model) + "</b></li><li>Output <b>" + std::to_string(b.output_tokens) +
         " tokens</b></li><li>Energy " + energy_badge_html(b.energy_label) + "</li>";
  if (!b.profile_path.empty()) {
    out += "<li>Profile <b><code>" + html_escape(b.profile_path) + "</code></b></li>";
  }
  out += "</ul>\n";
  out += chart_figure_html(bench_energy_chart(b, data.reference.efficiency_knee_batch),
                           "Joules per prompt against batch size (log2 axis); dashed lines mark "
                           "our knee, past which larger batches save little energy, and the "
                           "study's.");
  HtmlTable t;
  t.caption = "Medians over the repeats, " + std::to_string(b.output_tokens) +
              " output tokens; energy " + energy_provenance(b.energy_label).text();
  t.headers = {"Batch", "Latency (ms)", "J per prompt", "J per output token", "Tokens/s", "Note"};
  t.numeric = {true, true, true, true, true, false};
  for (const BatchPoint& p : b.points) {
    std::string note = p.saturated ? "saturated: memory model refused it" : "";
    if (p.batch == b.knee_batch) note = "knee";
    t.rows.push_back({{std::to_string(p.batch)},
                      {figure_text(p.latency_ms)},
                      {figure_text(p.joules_per_prompt)},
                      {figure_text(p.joules_per_output_token)},
                      {figure_text(p.throughput_tokens_per_s)},
                      {note}});
  }
  out += table_html(t);
  return out + "</section>\n";
}

}  // namespace detail

core::Result<std::string> render_experiment_html(const ExperimentData& data) {
  GR_RETURN_IF_ERROR(validate_experiment_data(data));
  // Also well-formed XML (void elements self-closed, only XML's five
  // entities), so the tests can check the whole page with an XML parser.
  // Also well-formed XML (void elements self-closed, only XML's five
  // entities), so the tests can check the whole page with an XML parser.
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n";
  // The page needs nothing from outside itself; the policy makes a browser
  // refuse (and report) anything that would load or run.
  out += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
         "style-src 'unsafe-inline'\"/>\n";
  out += "<meta name=\"generator\" content=\"greenroute experiment\"/>\n";
  out += detail::html_element("title", data.title) + "\n";
  out += "<style>" + std::string(detail::kReportCss) + "</style>\n</head>\n<body>\n";
  out += "<header>\n" + detail::html_element("h1", data.title) + "\n";
  std::string meta = "Generated " + (data.generated_at.empty() ? "(time not recorded)" : data.generated_at);
  if (!data.mode.empty()) meta += " · " + data.mode + " mode";
  if (!data.machine.empty()) meta += " · " + data.machine;
  out += detail::html_element("p", meta, "meta") + "\n" + detail::nav_html(data) + "</header>\n";
  out += "<main>\n";
  out += detail::summary_section_html(data);
  out += detail::bench_section_html(data);
  out += detail::live_section_html(data);
  out += detail::validation_section_html(data);
  for (const SimScenario& s : data.simulations) out += detail::simulation_section_html(data, s);
  out += detail::notes_section_html(data);
  out += detail::reproduce_section_html(data);
  out += "</main>\n<footer>Written by greenroute: charts are inline SVG, and the page loads "
         "nothing else. Figures in experiment.json and the CSV files beside this page.</footer>\n";
  out += "</body>\n</html>\n";
  return out;
}

}  // namespace greenroute::report
