// The report's stylesheet, inlined into report.html's <style> (no external
// CSS or fonts: the page must render offline and under its own Content
// Security Policy). Thread-safe: a constant.
#pragma once

#include <string_view>

namespace greenroute::report::detail {

inline constexpr std::string_view kReportCss = R"css(
:root { --ink: #1f2328; --muted: #59636e; --rule: #d8dee4; --band: #f6f8fa;
  --accent: #0b6e4f; --warn-bg: #fff4e5; --warn-ink: #8a4b00; --bad-bg: #fdecea;
  --bad-ink: #a4000f; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; color: var(--ink); background: #ffffff;
  font: 15px/1.55 "DejaVu Sans", "Helvetica Neue", Helvetica, Arial, sans-serif; }
header { background: #0b3d2e; color: #ffffff; padding: 28px 32px 20px; }
header h1 { margin: 0 0 6px; font-size: 26px; letter-spacing: 0.2px; }
header .meta { margin: 0; color: #cfe7dc; font-size: 13.5px; }
nav { margin-top: 14px; font-size: 13.5px; }
nav a { color: #ffffff; text-decoration: none; border-bottom: 1px solid #7fb8a1;
  margin-right: 16px; white-space: nowrap; }
main { max-width: 1180px; margin: 0 auto; padding: 8px 32px 40px; }
section { margin-top: 34px; }
h2 { font-size: 21px; margin: 0 0 10px; padding-bottom: 6px; border-bottom: 2px solid var(--rule); }
h3 { font-size: 17px; margin: 26px 0 8px; }
p { margin: 8px 0; max-width: 78em; }
.lead { font-size: 15.5px; }
.explain p { padding-left: 12px; border-left: 3px solid var(--rule); }
code, pre { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 13px; }
pre { background: var(--band); border: 1px solid var(--rule); border-radius: 6px; padding: 12px 14px;
  white-space: pre-wrap; word-break: break-all; }
.table-wrap { overflow-x: auto; margin: 10px 0 16px; }
table { border-collapse: collapse; font-size: 13.5px; min-width: 40%; }
caption { text-align: left; font-weight: bold; padding: 4px 0 6px; color: var(--muted); }
th, td { padding: 5px 10px; border-bottom: 1px solid var(--rule); vertical-align: top; }
th { text-align: left; background: var(--band); border-bottom: 2px solid var(--rule); }
td:first-child { white-space: nowrap; }
tbody tr:nth-child(even) td { background: #fbfcfd; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.flag { background: var(--bad-bg) !important; color: var(--bad-ink); font-weight: bold; }
td.ok { color: var(--accent); }
td.ref { font-style: italic; color: var(--muted); }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px;
  font-weight: bold; white-space: nowrap; }
.measured { background: #e3f4ea; color: #0b6e4f; }
.estimated { background: var(--warn-bg); color: var(--warn-ink); }
.unlabelled { background: var(--bad-bg); color: var(--bad-ink); }
.facts { display: flex; flex-wrap: wrap; gap: 8px 28px; padding: 0; margin: 8px 0; list-style: none;
  font-size: 14px; color: var(--muted); }
.facts b { color: var(--ink); }
figure { margin: 14px 0; padding: 8px; border: 1px solid var(--rule); border-radius: 6px;
  max-width: 880px; }
figure svg { display: block; width: 100%; height: auto; }
figcaption { font-size: 13px; color: var(--muted); padding: 6px 4px 0; }
.chart-error, .absent { color: var(--warn-ink); background: var(--warn-bg); padding: 8px 12px;
  border-radius: 6px; }
ul.notes li { margin: 4px 0; }
footer { max-width: 1180px; margin: 0 auto; padding: 16px 32px 32px; color: var(--muted);
  font-size: 12.5px; border-top: 1px solid var(--rule); }
@media (max-width: 600px) {
  header { padding: 18px 16px 14px; }
  main { padding: 4px 16px 28px; }
  footer { padding: 14px 16px 24px; }
}
@media print {
  @page { margin: 14mm; }
  body { font-size: 10pt; }
  table { font-size: 8.5pt; }
  th, td { padding: 3px 5px; }
  td:first-child, .num { white-space: normal; }
  header { background: none; color: var(--ink); padding: 0 0 8px; border-bottom: 2px solid var(--ink); }
  header .meta { color: var(--muted); }
  nav { display: none; }
  main, footer { max-width: none; padding: 0; }
  figure, table, .explain p { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
  .table-wrap { overflow: visible; }
}
)css";

}  // namespace greenroute::report::detail
