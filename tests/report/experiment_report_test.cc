#include "greenroute/report/experiment_report.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <clocale>
#include <cmath>
#include <locale>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "experiment_fixture.h"
#include "report/experiment_parts.h"
#include "report/report_text.h"
#include "report_test_util.h"

namespace greenroute::report {
namespace {

using testing_util::count;
using testing_util::read_file;
using testing_util::small_experiment;
using testing_util::TempDir;

std::string html_or_fail(const ExperimentData& data) {
  core::Result<std::string> html = render_experiment_html(data);
  EXPECT_TRUE(html.is_ok()) << html.status().to_string();
  return html.is_ok() ? *html : "";
}

std::string file_of(const std::vector<ReportFile>& files, const std::string& name) {
  for (const ReportFile& f : files) {
    if (f.name == name) return f.contents;
  }
  ADD_FAILURE() << "no file " << name;
  return "";
}

std::vector<ReportFile> files_or_fail(const ExperimentData& data) {
  core::Result<std::vector<ReportFile>> files = render_experiment_files(data);
  EXPECT_TRUE(files.is_ok()) << files.status().to_string();
  return files.is_ok() ? *files : std::vector<ReportFile>{};
}

// RFC 4180 reader: rows of fields, quotes undone.
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
    } else if (c == '\n') {
      row.push_back(std::move(field));
      field.clear();
      rows.push_back(std::move(row));
      row.clear();
    } else {
      field += c;
    }
  }
  EXPECT_TRUE(field.empty() && row.empty()) << "CSV does not end in a line break";
  return rows;
}

// The column `name` of a parsed CSV (header row first), data rows only.
std::vector<std::string> column(const std::vector<std::vector<std::string>>& rows,
                                const std::string& name) {
  std::vector<std::string> out;
  if (rows.empty()) return out;
  const auto at = std::find(rows[0].begin(), rows[0].end(), name);
  EXPECT_NE(at, rows[0].end()) << "no column " << name;
  if (at == rows[0].end()) return out;
  const std::size_t c = static_cast<std::size_t>(at - rows[0].begin());
  for (std::size_t r = 1; r < rows.size(); ++r) {
    EXPECT_EQ(rows[r].size(), rows[0].size()) << "row " << r;
    out.push_back(c < rows[r].size() ? rows[r][c] : "");
  }
  return out;
}

std::vector<std::string> inline_svgs(const std::string& html) {
  std::vector<std::string> out;
  for (std::size_t at = html.find("<svg "); at != std::string::npos; at = html.find("<svg ", at)) {
    const std::size_t end = html.find("</svg>", at);
    if (end == std::string::npos) break;
    out.push_back(html.substr(at, end + 6 - at));
    at = end;
  }
  return out;
}

TEST(ExperimentHeadline, ComputesReductionAndSpeedupPerSource) {
  const std::vector<HeadlineRow> rows = headline_figures(small_experiment());
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].source, "live");
  ASSERT_TRUE(rows[0].carbon_reduction_pct.has_value());
  EXPECT_NEAR(*rows[0].carbon_reduction_pct, 35.0, 1e-9);  // (10 - 6.5) / 10
  ASSERT_TRUE(rows[0].latency_speedup.has_value());
  EXPECT_NEAR(*rows[0].latency_speedup, 2.5, 1e-12);  // 400 / 160
  EXPECT_EQ(rows[1].source, "sim:reference-study");
  ASSERT_TRUE(rows[1].carbon_reduction_pct.has_value());
  EXPECT_NEAR(*rows[1].carbon_reduction_pct, 20.0, 1e-9);  // means over seeds: (100 - 80) / 100
  ASSERT_TRUE(rows[1].latency_speedup.has_value());
  EXPECT_NEAR(*rows[1].latency_speedup, 3.0, 1e-12);  // 900 / 300
}

TEST(ExperimentHeadline, UsesTheFirstSeedWithoutSummaries) {
  ExperimentData d = small_experiment();
  d.simulations[0].over_seeds.clear();
  const std::vector<HeadlineRow> rows = headline_figures(d);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_NEAR(*rows[1].carbon_reduction_pct, (110.0 - 75.0) / 110.0 * 100, 1e-9);
  EXPECT_NEAR(*rows[1].latency_speedup, 980.0 / 280.0, 1e-12);
}

TEST(ExperimentHeadline, MissingPolicyOrZeroBaselineGivesNoFigure) {
  ExperimentData d = small_experiment();
  d.live->runs.erase(d.live->runs.begin() + 2);  // no latency-aware
  d.live->runs[0].carbon_g = 0;                  // baseline emitted nothing
  std::vector<HeadlineRow> rows = headline_figures(d);
  EXPECT_FALSE(rows[0].carbon_reduction_pct.has_value());
  EXPECT_FALSE(rows[0].latency_speedup.has_value());
  d.live->baseline_policy = "round-robin";  // not run at all
  rows = headline_figures(d);
  EXPECT_FALSE(rows[0].carbon_reduction_pct.has_value());
  // The summary says so instead of inventing a figure.
  const std::string html = html_or_fail(d);
  EXPECT_NE(html.find("n/a (needs the baseline and carbon-aware)"), std::string::npos);
}

TEST(ExperimentHeadline, ExplanationsFollowTheFigures) {
  const std::vector<std::string> e = detail::headline_explanations(small_experiment());
  // Carbon: live, sim; speedup: live, sim; the knee.
  ASSERT_EQ(e.size(), 5u);
  EXPECT_NE(e[0].find("35% less carbon than greedy-fastest"), std::string::npos) << e[0];
  EXPECT_NE(e[0].find("close to the study's figure"), std::string::npos) << e[0];
  EXPECT_NE(e[0].find("from 40 gCO2e/kWh (SE) to 700 (PL)"), std::string::npos) << e[0];
  // Sim: 20% < 35%; the baseline ran 100 of 7200 on the clean Jetson, carbon-aware 7000.
  EXPECT_NE(e[1].find("20% less"), std::string::npos) << e[1];
  EXPECT_EQ(e[1].find("close to the study"), std::string::npos) << e[1];
  EXPECT_NE(e[1].find("carbon-aware ran 97.2% of its requests in SE"), std::string::npos) << e[1];
  EXPECT_NE(e[2].find("2.50x faster"), std::string::npos) << e[2];
  EXPECT_NE(e[2].find("within the study's range"), std::string::npos) << e[2];
  EXPECT_NE(e[3].find("3.00x faster"), std::string::npos) << e[3];
  // The knee: 2 against 4; throughput fell from batch 1 to 4 (1807.8 -> 760.4 tok/s).
  EXPECT_NE(e[4].find("knee is at batch 2 (the study: batch 4)"), std::string::npos) << e[4];
  EXPECT_NE(e[4].find("Throughput did not grow with the batch"), std::string::npos) << e[4];
  EXPECT_NE(e[4].find("compute-bound"), std::string::npos) << e[4];
  EXPECT_NE(e[4].find("estimated (cpu-estimate)"), std::string::npos) << e[4];
}

TEST(ExperimentHeadline, SmallerSpeedupOnSharedCoresSaysWhy) {
  ExperimentData d = small_experiment();
  d.live->runs[2].latency_mean_ms = 320;  // 1.25x
  const std::vector<std::string> e = detail::headline_explanations(d);
  ASSERT_GE(e.size(), 3u);
  EXPECT_NE(e[2].find("1.25x faster"), std::string::npos) << e[2];
  EXPECT_NE(e[2].find("share this machine's 2 cores"), std::string::npos) << e[2];
  d.live->machine_cores = 0;  // unknown: that reason is not given
  const std::vector<std::string> unknown = detail::headline_explanations(d);
  EXPECT_EQ(unknown[2].find("cores"), std::string::npos) << unknown[2];
}

TEST(ExperimentHeadline, MatchingKneeIsSaidToMatch) {
  ExperimentData d = small_experiment();
  d.bench.knee_batch = 4;
  const std::vector<std::string> e = detail::headline_explanations(d);
  EXPECT_NE(e.back().find("It matches the study's knee"), std::string::npos) << e.back();
  EXPECT_EQ(e.back().find("compute-bound"), std::string::npos) << e.back();
}

TEST(ExperimentReport, HtmlHasEverySectionAndLabelsEnergy) {
  const std::string html = html_or_fail(small_experiment());
  for (const char* id : {"summary", "bench", "live", "validation", "sim-reference-study", "notes",
                         "reproduce"}) {
    EXPECT_NE(html.find("<section id=\"" + std::string(id) + "\">"), std::string::npos) << id;
  }
  EXPECT_NE(html.find("estimated (cpu-estimate)"), std::string::npos);
  EXPECT_NE(html.find("estimated (device profiles, simulated)"), std::string::npos);
  EXPECT_NE(html.find("greenroute experiment --reduced --out out/experiment"), std::string::npos);
  // Self-contained: no scripts, no external resources, a policy that forbids them.
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("url("), std::string::npos);
  EXPECT_NE(html.find("Content-Security-Policy"), std::string::npos);
  // The CI of the sim table, the validation flag on carbon-aware's energy (-20%).
  EXPECT_NE(html.find("900 ± 45"), std::string::npos);
  EXPECT_NE(html.find("class=\"num flag\">-20%"), std::string::npos);
  EXPECT_NE(html.find("energy beyond 15%"), std::string::npos);
  EXPECT_NE(html.find("1 of 2 policies have an error beyond 15%"), std::string::npos);
}

// The validation scenario's own run: described above the table, written
// whole to experiment.json, and checked like the main run.
TEST(ExperimentReport, ValidationScenarioHasItsOwnRun) {
  ExperimentData d = small_experiment();
  LiveRun pair = *d.live;
  pair.nodes.resize(2);
  pair.nodes[0].name = "pl-cpu1";
  pair.nodes[0].zone = "PL";
  pair.nodes[0].threads = 1;
  pair.nodes[1].name = "fr-cpu0 <&>";
  pair.nodes[1].zone = "FR";
  pair.nodes[1].threads = 1;
  pair.workload = "6 requests, Poisson 1.5/s";
  d.validation_live = pair;
  const std::string html = html_or_fail(d);
  EXPECT_NE(html.find("A scenario of its own, run live and then simulated: pl-cpu1 (PL, 1 thread), "
                      "fr-cpu0 &lt;&amp;&gt; (FR, 1 thread); 6 requests, Poisson 1.5/s."),
            std::string::npos);
  auto json_text = render_experiment_json(d);
  ASSERT_TRUE(json_text.is_ok()) << json_text.status().to_string();
  const auto j = nlohmann::json::parse(*json_text);
  EXPECT_EQ(j["validation"]["live"]["nodes"][0]["name"], "pl-cpu1");
  EXPECT_EQ(j["validation"]["live"]["runs"].size(), pair.runs.size());
  EXPECT_EQ(j["validation"]["rows"].size(), d.validation.size());
  // Without one, the key is there and null.
  EXPECT_TRUE(nlohmann::json::parse(*render_experiment_json(small_experiment()))["validation"]["live"].is_null());
  d.validation_live->runs[0].latency_mean_ms = NAN;
  const core::Status bad = validate_experiment_data(d);
  EXPECT_NE(bad.message().find("validation.live.runs[0].latency_mean_ms: not finite"), std::string::npos)
      << bad.message();
}

TEST(ExperimentReport, EveryChartAndThePageParseAsXml) {
  if (!testing_util::have_xmllint()) GTEST_SKIP() << testing_util::kNoXmllint;
  TempDir dir;
  const std::string html = html_or_fail(small_experiment());
  const std::vector<std::string> svgs = inline_svgs(html);
  // bench energy; live trade-off and decisions; sim trade-off and decisions.
  ASSERT_EQ(svgs.size(), 5u);
  for (std::size_t i = 0; i < svgs.size(); ++i) {
    EXPECT_EQ(testing_util::xmllint_text(dir, svgs[i]), "") << "chart " << i << ":\n" << svgs[i];
  }
  const std::string page = dir.file("report.html");
  testing_util::write_file(page, html);
  EXPECT_EQ(testing_util::xmllint_errors(dir, page), "");
  EXPECT_EQ(html.find("could not be drawn"), std::string::npos);
}

TEST(ExperimentReport, HostileNamesAreEscapedEverywhere) {
  ExperimentData d = small_experiment();
  const std::string evil_policy = "<script>alert('p')</script>";
  const std::string evil_node = "\"><img src=x onerror=alert(1)>";
  d.title = "</title><script>x</script>";
  d.live->runs[1].policy = evil_policy;
  d.live->runs[1].requests_per_node = {{evil_node, 4}};
  d.live->runs[1].requests_log[0].node = evil_node;
  d.live->nodes[0].name = evil_node;
  d.live->nodes[0].zone = "Z&Z\xff";  // and a byte that is not UTF-8
  d.live->workload = "a,\"quoted\"\nline";
  d.simulations[0].name = "../../etc/<b>passwd</b> \"x\"";
  d.simulations[0].over_seeds[1].policy = evil_policy;
  d.notes.push_back("]]><!-- -->&amp;");
  const std::vector<ReportFile> files = files_or_fail(d);
  const std::string html = file_of(files, "report.html");
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("<b>passwd"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(&apos;p&apos;)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("&amp;amp;"), std::string::npos);
  EXPECT_NE(html.find("\xEF\xBF\xBD"), std::string::npos);  // U+FFFD for the stray byte
  // The scenario's files stay inside the directory.
  bool found = false;
  for (const ReportFile& f : files) {
    EXPECT_EQ(f.name.find('/'), std::string::npos) << f.name;
    EXPECT_NE(f.name.substr(0, 2), "..") << f.name;
    if (f.name == "sim_------etc--b-passwd--b---x-.csv") found = true;
  }
  EXPECT_TRUE(found);
  if (testing_util::have_xmllint()) {
    TempDir dir;
    testing_util::write_file(dir.file("report.html"), html);
    EXPECT_EQ(testing_util::xmllint_errors(dir, dir.file("report.html")), "");
  }
  // CSV and JSON keep the names exactly.
  const auto live = parse_csv(file_of(files, "live_policies.csv"));
  EXPECT_EQ(column(live, "policy")[1], evil_policy);
  const auto json = nlohmann::json::parse(file_of(files, "experiment.json"));
  EXPECT_EQ(json["live"]["runs"][1]["policy"], evil_policy);
  EXPECT_EQ(json["live"]["workload"], "a,\"quoted\"\nline");
}

TEST(ExperimentReport, MissingLiveRunAndSimulations) {
  ExperimentData d = small_experiment();
  d.live.reset();
  d.validation.clear();
  d.simulations.clear();
  const std::vector<ReportFile> files = files_or_fail(d);
  const std::string html = file_of(files, "report.html");
  EXPECT_NE(html.find("No live run in this experiment"), std::string::npos);
  EXPECT_NE(html.find("No validation was run"), std::string::npos);
  EXPECT_EQ(html.find("Simulation:"), std::string::npos);
  EXPECT_TRUE(headline_figures(d).empty());
  EXPECT_EQ(inline_svgs(html).size(), 1u);  // the bench chart only
  const auto json = nlohmann::json::parse(file_of(files, "experiment.json"));
  EXPECT_TRUE(json["live"].is_null());
  EXPECT_TRUE(json["simulations"].empty());
  EXPECT_TRUE(json["headline"].empty());
  EXPECT_EQ(parse_csv(file_of(files, "live_requests.csv")).size(), 1u);  // header only
  EXPECT_EQ(parse_csv(file_of(files, "validation.csv")).size(), 1u);
  EXPECT_EQ(files.size(), 6u);  // report, json, 4 CSVs, no sim_*.csv
}

TEST(ExperimentReport, EmptyBench) {
  ExperimentData d = small_experiment();
  d.bench = LocalBench{};
  const std::string html = html_or_fail(d);
  EXPECT_NE(html.find("No local benchmark was run"), std::string::npos);
  for (const std::string& e : detail::headline_explanations(d)) {
    EXPECT_EQ(e.find("Local benchmark"), std::string::npos) << e;
  }
  const std::vector<ReportFile> files = files_or_fail(d);
  EXPECT_EQ(parse_csv(file_of(files, "bench.csv")).size(), 1u);
  // Every saturated point: nothing to plot, and the page says why not.
  d = small_experiment();
  for (BatchPoint& p : d.bench.points) p.saturated = true;
  const std::string saturated = html_or_fail(d);
  EXPECT_EQ(inline_svgs(saturated).size(), 4u);
  EXPECT_NE(saturated.find("Too few unsaturated batch sizes"), std::string::npos);
}

TEST(ExperimentReport, ScenarioWithoutBatchesOrSummaries) {
  ExperimentData d = small_experiment();
  for (sim::PolicyResult& r : d.simulations[0].first_seed.results) r.batches.clear();
  d.simulations[0].over_seeds.clear();
  const std::string html = html_or_fail(d);
  EXPECT_NE(html.find("No batches were recorded for this scenario"), std::string::npos);
  EXPECT_NE(html.find("Per policy, one seed"), std::string::npos);
  EXPECT_EQ(inline_svgs(html).size(), 4u);
}

TEST(ExperimentReport, UnplottableFigureLeavesANoteNotAFailure) {
  ExperimentData d = small_experiment();
  d.bench.points[1].joules_per_prompt = 1e200;  // finite, beyond what a chart can place
  const std::string html = html_or_fail(d);
  EXPECT_NE(html.find("class=\"chart-error\""), std::string::npos);
  EXPECT_NE(html.find("beyond the plottable magnitude"), std::string::npos);
}

TEST(ExperimentReport, InvalidDataIsRefusedNamingTheField) {
  struct Case {
    const char* field;
    void (*spoil)(ExperimentData*);
  };
  const Case cases[] = {
      {"live.runs[1].carbon_g: not finite", [](ExperimentData* d) { d->live->runs[1].carbon_g = NAN; }},
      {"bench.points[2].batch", [](ExperimentData* d) { d->bench.points[2].batch = 2; }},
      {"live.runs[2].policy: policy \"greedy-fastest\" is listed twice",
       [](ExperimentData* d) { d->live->runs[2].policy = "greedy-fastest"; }},
      {"simulations[1].name", [](ExperimentData* d) {
         d->simulations.push_back(d->simulations[0]);
         d->simulations[0].name = "a b";
         d->simulations[1].name = "a/b";
       }},
      {"simulations[0].per_seed: 1 comparisons for 3 seeds",
       [](ExperimentData* d) { d->simulations[0].per_seed = {d->simulations[0].first_seed}; }},
      {"simulations[0].first_seed.results[0].batches[3].g_co2_per_kwh: not finite",
       [](ExperimentData* d) { d->simulations[0].first_seed.results[0].batches[3].g_co2_per_kwh = INFINITY; }},
      {"validation[0].energy_error_pct", [](ExperimentData* d) { d->validation[0].energy_error_pct = NAN; }},
  };
  for (const Case& c : cases) {
    ExperimentData d = small_experiment();
    c.spoil(&d);
    const core::Status s = validate_experiment_data(d);
    EXPECT_EQ(s.code(), core::StatusCode::kInvalidArgument) << c.field;
    EXPECT_NE(s.message().find(c.field), std::string::npos) << s.message();
    EXPECT_FALSE(render_experiment_html(d).is_ok()) << c.field;
    EXPECT_FALSE(render_experiment_json(d).is_ok()) << c.field;
    TempDir dir;
    EXPECT_FALSE(write_experiment_report(dir.path() + "/out", d).is_ok()) << c.field;
    EXPECT_FALSE(std::filesystem::exists(dir.path() + "/out/report.html")) << c.field;
  }
}

TEST(ExperimentReport, CsvFiguresReadBackExactly) {
  ExperimentData d = small_experiment();
  d.live->runs[0].latency_mean_ms = 0.1 + 0.2;  // no short decimal form
  d.bench.points[0].joules_per_prompt = 1.0 / 3;
  d.simulations[0].per_seed = {d.simulations[0].first_seed, d.simulations[0].first_seed,
                               d.simulations[0].first_seed};
  d.simulations[0].per_seed[2].results[1].carbon_g = 1e-7;
  const std::vector<ReportFile> files = files_or_fail(d);

  const auto bench = parse_csv(file_of(files, "bench.csv"));
  ASSERT_EQ(bench.size(), 5u);
  const std::vector<std::string> jpp = column(bench, "joules_per_prompt");
  for (std::size_t i = 0; i < d.bench.points.size(); ++i) {
    EXPECT_EQ(std::stod(jpp[i]), d.bench.points[i].joules_per_prompt) << i;
    EXPECT_EQ(std::stoi(column(bench, "batch")[i]), d.bench.points[i].batch);
  }
  EXPECT_EQ(column(bench, "knee")[1], "true");
  EXPECT_EQ(column(bench, "energy_label")[0], "estimated:cpu-estimate");

  const auto live = parse_csv(file_of(files, "live_policies.csv"));
  ASSERT_EQ(live.size(), 4u);
  for (std::size_t i = 0; i < d.live->runs.size(); ++i) {
    EXPECT_EQ(column(live, "policy")[i], d.live->runs[i].policy);
    EXPECT_EQ(std::stod(column(live, "latency_mean_ms")[i]), d.live->runs[i].latency_mean_ms);
    EXPECT_EQ(std::stod(column(live, "carbon_g")[i]), d.live->runs[i].carbon_g);
  }
  EXPECT_NEAR(std::stod(column(live, "carbon_vs_baseline_pct")[1]), -35, 1e-9);

  const auto requests = parse_csv(file_of(files, "live_requests.csv"));
  std::size_t logged = 0;
  for (const LivePolicyRun& r : d.live->runs) logged += r.requests_log.size();
  ASSERT_EQ(requests.size(), logged + 1);
  EXPECT_EQ(std::stod(column(requests, "carbon_g")[0]), d.live->runs[0].requests_log[0].carbon_g);

  const auto validation = parse_csv(file_of(files, "validation.csv"));
  EXPECT_EQ(column(validation, "within_tolerance"), (std::vector<std::string>{"true", "false"}));
  EXPECT_EQ(std::stod(column(validation, "energy_error_pct")[1]), -20);

  const auto runs = parse_csv(file_of(files, "sim_reference-study.csv"));
  ASSERT_EQ(runs.size(), 1 + 3 * 3u);  // 3 seeds x 3 policies
  EXPECT_EQ(column(runs, "seed")[8], "3");
  EXPECT_EQ(std::stod(column(runs, "carbon_g")[7]), 1e-7);
  EXPECT_EQ(std::stod(column(runs, "latency_mean_ms")[0]), 980);

  const auto summary = parse_csv(file_of(files, "sim_reference-study_summary.csv"));
  ASSERT_EQ(summary.size(), 4u);
  EXPECT_EQ(std::stod(column(summary, "carbon_g")[1]), 80);
  EXPECT_EQ(std::stod(column(summary, "carbon_g_ci95")[1]), d.simulations[0].over_seeds[1].carbon_g.half_width);
  EXPECT_EQ(column(summary, "seeds")[0], "3");
}

TEST(ExperimentReport, JsonHoldsEveryFigure) {
  const ExperimentData d = small_experiment();
  const std::vector<ReportFile> files = files_or_fail(d);
  const auto j = nlohmann::json::parse(file_of(files, "experiment.json"));
  EXPECT_EQ(j["schema"], "greenroute.experiment/1");
  EXPECT_EQ(j["reference"]["carbon_reduction_pct"], 35.0);
  EXPECT_EQ(j["reference"]["efficiency_knee_batch"], 4);
  ASSERT_EQ(j["headline"].size(), 2u);
  EXPECT_NEAR(j["headline"][0]["carbon_reduction_pct"].get<double>(), 35.0, 1e-9);
  EXPECT_EQ(j["headline"][1]["latency_speedup"].get<double>(), 3.0);
  EXPECT_EQ(j["explanations"].size(), 5u);
  EXPECT_EQ(j["bench"]["energy"]["kind"], "estimated");
  EXPECT_EQ(j["bench"]["energy"]["method"], "cpu-estimate");
  for (std::size_t i = 0; i < d.bench.points.size(); ++i) {
    EXPECT_EQ(j["bench"]["points"][i]["joules_per_prompt"].get<double>(), d.bench.points[i].joules_per_prompt);
  }
  EXPECT_EQ(j["live"]["runs"][1]["carbon_g"].get<double>(), 6.5);
  EXPECT_EQ(j["live"]["runs"][1]["requests_per_node"]["n-se"], 3);
  EXPECT_EQ(j["live"]["runs"][2]["requests_log"].size(), 4u);
  EXPECT_EQ(j["live"]["machine_cores"], 2);
  EXPECT_EQ(j["validation"]["rows"][1]["within_tolerance"], false);
  const auto& sim = j["simulations"][0];
  EXPECT_EQ(sim["files"][0], "sim_reference-study.csv");
  EXPECT_EQ(sim["over_seeds"][1]["carbon_g"]["mean"].get<double>(), 80.0);
  EXPECT_EQ(sim["over_seeds"][1]["carbon_g"]["n"], 3);
  EXPECT_EQ(sim["first_seed"]["results"][0]["nodes"][1]["requests"], 7100);
  EXPECT_EQ(sim["first_seed"]["results"][0]["batches_recorded"], 4);
  EXPECT_EQ(sim["intensity_by_zone"]["PL"][1][1].get<double>(), 690.0);
  // The decisions chart's figures: carbon-aware ran each hour's batch in SE.
  const auto& decisions = sim["decisions"];
  EXPECT_EQ(decisions["unit"], "h");
  EXPECT_EQ(decisions["policies"][1]["policy"], "carbon-aware");
  ASSERT_EQ(decisions["policies"][1]["bins"].size(), 4u);
  EXPECT_EQ(decisions["policies"][1]["bins"][0]["mean_intensity_g_per_kwh"].get<double>(), 40.0);
  EXPECT_EQ(decisions["policies"][1]["bins"][0]["requests"], 2);
}

// A numpunct that writes "1.234,5", as de_DE does.
struct CommaDecimal : std::numpunct<char> {
  char do_decimal_point() const override { return ','; }
  char do_thousands_sep() const override { return '.'; }
  std::string do_grouping() const override { return "\3"; }
};

TEST(ExperimentReport, SameDataGivesIdenticalBytesWhateverTheLocale) {
  const ExperimentData d = small_experiment();
  const std::vector<ReportFile> first = files_or_fail(d);
  const std::vector<ReportFile> again = files_or_fail(d);
  ASSERT_EQ(first.size(), again.size());
  for (std::size_t i = 0; i < first.size(); ++i) EXPECT_EQ(first[i].contents, again[i].contents) << first[i].name;
  const std::locale before = std::locale::global(std::locale(std::locale::classic(), new CommaDecimal));
  for (const char* name : {"de_DE.UTF-8", "fr_FR.UTF-8", "de_DE.utf8"}) {
    if (std::setlocale(LC_ALL, name) != nullptr) break;
  }
  const std::vector<ReportFile> localised = files_or_fail(d);
  std::setlocale(LC_ALL, "C");
  std::locale::global(before);
  ASSERT_EQ(first.size(), localised.size());
  for (std::size_t i = 0; i < first.size(); ++i) {
    EXPECT_EQ(first[i].contents, localised[i].contents) << first[i].name;
  }
}

TEST(ExperimentReport, WritesEveryFileAtomically) {
  TempDir dir;
  const std::string out = dir.path() + "/nested/report";
  const ExperimentData d = small_experiment();
  ASSERT_TRUE(write_experiment_report(out, d).is_ok());
  const std::vector<ReportFile> files = files_or_fail(d);
  for (const ReportFile& f : files) EXPECT_EQ(read_file(out + "/" + f.name), f.contents) << f.name;
  std::size_t on_disk = 0;
  for (const auto& entry : std::filesystem::directory_iterator(out)) {
    EXPECT_TRUE(entry.is_regular_file()) << entry.path();
    ++on_disk;
  }
  EXPECT_EQ(on_disk, files.size());  // no temporary file left behind
  // Written again over the old report: the same bytes.
  ASSERT_TRUE(write_experiment_report(out, d).is_ok());
  EXPECT_EQ(read_file(out + "/report.html"), files[0].contents);
}

TEST(ExperimentReport, WriteErrorsNameThePath) {
  TempDir dir;
  const ExperimentData d = small_experiment();
  // A directory that cannot be created: its parent is a file.
  testing_util::write_file(dir.file("plain-file"), "x");
  const std::string under_file = dir.file("plain-file") + "/report";
  core::Status s = write_experiment_report(under_file, d);
  EXPECT_EQ(s.code(), core::StatusCode::kIoError);
  EXPECT_NE(s.message().find(under_file), std::string::npos) << s.message();
  // The directory is a file.
  s = write_experiment_report(dir.file("plain-file"), d);
  EXPECT_EQ(s.code(), core::StatusCode::kIoError);
  EXPECT_NE(s.message().find(dir.file("plain-file")), std::string::npos) << s.message();
  // A file that cannot be replaced (a directory stands at its name).
  const std::string out = dir.file("out");
  std::filesystem::create_directories(out + "/experiment.json/inside");
  s = write_experiment_report(out, d);
  EXPECT_EQ(s.code(), core::StatusCode::kIoError);
  EXPECT_NE(s.message().find(out + "/experiment.json"), std::string::npos) << s.message();
  // A read-only directory (unless running as root, which ignores modes).
  if (::geteuid() != 0) {
    const std::string locked = dir.file("locked");
    std::filesystem::create_directories(locked);
    ::chmod(locked.c_str(), 0555);
    s = write_experiment_report(locked, d);
    ::chmod(locked.c_str(), 0755);
    EXPECT_EQ(s.code(), core::StatusCode::kIoError);
    EXPECT_NE(s.message().find(locked + "/report.html"), std::string::npos) << s.message();
  }
}

TEST(ExperimentReportText, NumbersAndLabels) {
  EXPECT_EQ(detail::figure_text(1234.4), "1234");
  EXPECT_EQ(detail::figure_text(123.4), "123");
  EXPECT_EQ(detail::figure_text(12.34), "12.3");
  EXPECT_EQ(detail::figure_text(0.012345), "0.0123");
  EXPECT_EQ(detail::figure_text(-0.0001), "-0.0001");
  EXPECT_EQ(detail::figure_text(40), "40");
  EXPECT_EQ(detail::figure_text(2.5), "2.5");
  EXPECT_EQ(detail::figure_text(-0.0004), "-0.0004");
  EXPECT_EQ(detail::figure_text(2.5e-7), "2.5e-07");
  EXPECT_EQ(detail::figure_text(-0.0), "0");
  EXPECT_EQ(detail::figure_text(NAN), "n/a");
  EXPECT_EQ(detail::fixed_text(-0.001, 1), "0.0");
  EXPECT_EQ(detail::exact_text(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(detail::exact_text(INFINITY), "");
  EXPECT_EQ(detail::energy_provenance("measured:nvml").text(), "measured (nvml)");
  EXPECT_EQ(detail::energy_provenance("estimated:cpu-estimate").footnote(),
            "energy ESTIMATED by cpu-estimate");
  EXPECT_EQ(detail::energy_provenance("").text(), "provenance not recorded");
  EXPECT_EQ(detail::energy_provenance("joules").text(), "unlabelled: joules");
  EXPECT_EQ(detail::file_slug("a b/../c.d"), "a-b----c-d");
  EXPECT_EQ(palette_color(0), "#0072B2");
  EXPECT_EQ(palette_color(8), palette_color(0));
}

}  // namespace
}  // namespace greenroute::report
