#include "greenroute/report/file_output.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "bench_charts.h"
#include "greenroute/report/svg_chart.h"
#include "report_test_util.h"

namespace greenroute::report {
namespace {

using testing_util::TempDir;

std::size_t entries_in(const std::string& dir) {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir)) ++n;
  return n;
}

TEST(WriteFileAtomically, WritesThenReplacesLeavingNoTemporaryFile) {
  TempDir dir;
  const std::string path = dir.file("out.csv");
  ASSERT_TRUE(write_file_atomically(path, "a,b\n1,2\n").is_ok());
  EXPECT_EQ(testing_util::read_file(path), "a,b\n1,2\n");
  ASSERT_TRUE(write_file_atomically(path, "replaced").is_ok());
  EXPECT_EQ(testing_util::read_file(path), "replaced");
  EXPECT_EQ(entries_in(dir.path()), 1u);
  // Readable like any new file (0666 less the umask), not mkstemp's 0600.
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  const mode_t mask = ::umask(0);
  ::umask(mask);
  EXPECT_EQ(st.st_mode & 0777, 0666 & ~mask);
}

TEST(WriteFileAtomically, MissingDirectoryNamesThePath) {
  TempDir dir;
  const std::string path = dir.file("no-such-dir/chart.svg");
  const core::Status s = write_file_atomically(path, "x");
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.code(), core::StatusCode::kIoError);
  EXPECT_NE(s.message().find("'" + path + "'"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("No such file or directory"), std::string::npos) << s.message();
}

TEST(WriteFileAtomically, ParentThatIsAFileFails) {
  TempDir dir;
  testing_util::write_file(dir.file("plain"), "not a directory");
  const std::string path = dir.file("plain/chart.svg");
  const core::Status s = write_file_atomically(path, "x");
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.code(), core::StatusCode::kIoError);
  EXPECT_NE(s.message().find(path), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("Not a directory"), std::string::npos) << s.message();
}

TEST(WriteFileAtomically, TargetThatIsADirectoryFailsAndCleansUp) {
  TempDir dir;
  const std::string path = dir.file("taken");
  std::filesystem::create_directory(path);
  testing_util::write_file(path + "/inside", "keeps the directory non-empty");
  const core::Status s = write_file_atomically(path, "x");
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.code(), core::StatusCode::kIoError);
  EXPECT_NE(s.message().find("cannot write '" + path + "': "), std::string::npos) << s.message();
  EXPECT_EQ(entries_in(dir.path()), 1u);  // the temporary file is gone
  EXPECT_TRUE(std::filesystem::is_directory(path));
}

TEST(WriteFileAtomically, UnwritableDirectoryFails) {
  TempDir dir;
  std::string unwritable = dir.file("locked");
  std::filesystem::create_directory(unwritable);
  ::chmod(unwritable.c_str(), 0555);
  // root writes anywhere regardless of mode bits, but not into sysfs.
  if (::geteuid() == 0) unwritable = "/sys";
  const std::string path = unwritable + "/chart.svg";
  const core::Status s = write_file_atomically(path, "x");
  ::chmod(dir.file("locked").c_str(), 0755);
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.code(), core::StatusCode::kIoError);
  EXPECT_NE(s.message().find("cannot write '" + path + "'"), std::string::npos) << s.message();
  const bool denied = s.message().find("Permission denied") != std::string::npos ||
                      s.message().find("Read-only file system") != std::string::npos;
  EXPECT_TRUE(denied) << s.message();
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(WriteSvgFile, InvalidChartWritesNothingAndNamesThePath) {
  TempDir dir;
  LineChart chart = testing_util::latency_chart();
  chart.series[0].y.pop_back();
  const std::string path = dir.file("latency.svg");
  const core::Status s = write_svg_file(path, chart);
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.code(), core::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message().rfind(path + ": series 0 \"cpu\": x has 6 values but y has 5", 0), 0u)
      << s.message();
  EXPECT_EQ(entries_in(dir.path()), 0u);
}

TEST(WriteSvgFile, WriteErrorNamesThePath) {
  TempDir dir;
  const std::string path = dir.file("missing/latency.svg");
  const core::Status s = write_svg_file(path, testing_util::latency_chart());
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.code(), core::StatusCode::kIoError);
  EXPECT_NE(s.message().find(path), std::string::npos);
}

}  // namespace
}  // namespace greenroute::report
