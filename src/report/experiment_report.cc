// The report directory: every file rendered first (so a fault in the data
// writes nothing), then each written atomically.
#include <system_error>

#include "experiment_parts.h"
#include "greenroute/report/file_output.h"

namespace greenroute::report {

core::Result<std::vector<ReportFile>> render_experiment_files(const ExperimentData& data) {
  std::vector<ReportFile> files;
  GR_ASSIGN_OR_RETURN(std::string html, render_experiment_html(data));
  files.push_back({"report.html", std::move(html)});
  GR_ASSIGN_OR_RETURN(std::string json, render_experiment_json(data));
  files.push_back({"experiment.json", std::move(json)});
  for (ReportFile& f : detail::experiment_csv_files(data)) files.push_back(std::move(f));
  return files;
}

core::Status write_experiment_report(const std::filesystem::path& dir, const ExperimentData& data) {
  GR_ASSIGN_OR_RETURN(std::vector<ReportFile> files, render_experiment_files(data));
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return core::io_error("cannot create report directory " + dir.string() + ": " + ec.message());
  }
  if (!std::filesystem::is_directory(dir, ec)) {
    return core::io_error("report directory " + dir.string() + " is not a directory");
  }
  for (const ReportFile& f : files) {
    GR_RETURN_IF_ERROR(write_file_atomically((dir / f.name).string(), f.contents));
  }
  return core::Status::ok();
}

}  // namespace greenroute::report
