// The experiment report in a real browser: headless Chromium (the Debian
// package) loads report.html rendered from realistic data, with no console
// errors, exceptions or requests beyond the page itself, and a screenshot
// that shows the page (size and content checked with libpng).
//
// Preferred driver: playwright-core (tests/report/chromium, installed by
// scripts/install-deps.sh --npm), which sees every console message, request
// and exception. Without it (or without node) the chromium command line is
// used: its --enable-logging output carries console messages, and the page's
// Content-Security-Policy turns any external load or script into one.
// Skipped, saying so, only when no chromium is installed.
//
// Environment: GREENROUTE_CHROMIUM (the browser; default: chromium on PATH),
// GREENROUTE_CHROMIUM_DRIVER=cli (skip playwright), GREENROUTE_REPORT_KEEP_DIR
// (copy the report, screenshot and PDF there to look at).
#include <gtest/gtest.h>
#include <png.h>
#include <stdio.h>
#include <sys/wait.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_set>
#include <vector>

#include "experiment_fixture.h"
#include "greenroute/report/experiment_report.h"
#include "report_test_util.h"

namespace greenroute::report {
namespace {

using testing_util::read_file;
using testing_util::TempDir;

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// The path `command -v NAME` prints, or "".
std::string find_program(const std::string& name) {
  FILE* pipe = ::popen(("command -v " + shell_quote(name) + " 2>/dev/null").c_str(), "r");
  if (pipe == nullptr) return "";
  char buf[4096];
  std::string out;
  while (std::fgets(buf, sizeof buf, pipe) != nullptr) out += buf;
  ::pclose(pipe);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

std::string find_chromium() {
  if (const char* env = std::getenv("GREENROUTE_CHROMIUM"); env != nullptr && *env != '\0') return env;
  for (const char* name : {"chromium", "chromium-browser", "google-chrome"}) {
    const std::string path = find_program(name);
    if (!path.empty()) return path;
  }
  return "";
}

// Runs `cmd` through the shell; its exit status (-1 if it did not exit).
int run(const std::string& cmd) {
  const int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

struct PngStats {
  std::string error;  // "" when read
  int width = 0;
  int height = 0;
  double non_background = 0;          // fraction of pixels not white-ish
  std::size_t distinct_colours = 0;   // capped at 4096
  std::size_t near(std::uint32_t rgb) const {
    const auto it = near_counts.find(rgb);
    return it == near_counts.end() ? 0 : it->second;
  }
  std::map<std::uint32_t, std::size_t> near_counts;  // pixels within 24 of each probe colour
};

PngStats probe_png(const std::string& path, const std::vector<std::uint32_t>& probes) {
  PngStats s;
  png_image image;
  std::memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  if (png_image_begin_read_from_file(&image, path.c_str()) == 0) {
    s.error = path + ": " + image.message;
    return s;
  }
  image.format = PNG_FORMAT_RGB;
  std::vector<png_byte> pixels(PNG_IMAGE_SIZE(image));
  if (png_image_finish_read(&image, nullptr, pixels.data(), 0, nullptr) == 0) {
    s.error = path + ": " + image.message;
    png_image_free(&image);
    return s;
  }
  s.width = static_cast<int>(image.width);
  s.height = static_cast<int>(image.height);
  std::unordered_set<std::uint32_t> colours;
  std::size_t busy = 0;
  const std::size_t n = pixels.size() / 3;
  for (std::size_t i = 0; i < n; ++i) {
    const int r = pixels[3 * i], g = pixels[3 * i + 1], b = pixels[3 * i + 2];
    if (r < 245 || g < 245 || b < 245) ++busy;
    if (colours.size() < 4096) colours.insert(static_cast<std::uint32_t>(r << 16 | g << 8 | b));
    for (std::uint32_t p : probes) {
      const int pr = static_cast<int>(p >> 16 & 0xff), pg = static_cast<int>(p >> 8 & 0xff),
                pb = static_cast<int>(p & 0xff);
      if (std::abs(r - pr) <= 24 && std::abs(g - pg) <= 24 && std::abs(b - pb) <= 24) ++s.near_counts[p];
    }
  }
  s.non_background = n > 0 ? static_cast<double>(busy) / static_cast<double>(n) : 0;
  s.distinct_colours = colours.size();
  return s;
}

// Copies the report, screenshot and PDF for a person to look at when
// GREENROUTE_REPORT_KEEP_DIR names a directory.
void keep_for_inspection(const std::string& from) {
  const char* keep = std::getenv("GREENROUTE_REPORT_KEEP_DIR");
  if (keep == nullptr || *keep == '\0') return;
  std::error_code ec;
  std::filesystem::create_directories(keep, ec);
  std::filesystem::copy(from, keep,
                        std::filesystem::copy_options::recursive |
                            std::filesystem::copy_options::overwrite_existing,
                        ec);
  if (ec) ADD_FAILURE() << "GREENROUTE_REPORT_KEEP_DIR " << keep << ": " << ec.message();
}

// What the browser found on a page.
struct BrowserRun {
  bool playwright = false;            // which driver ran
  std::vector<std::string> problems;  // console errors, exceptions, extra or failed requests
  nlohmann::json details;             // playwright only: title, counts, overflow
};

class ReportInChromium : public ::testing::Test {
 protected:
  void SetUp() override {
    chromium_ = find_chromium();
    if (chromium_.empty()) {
      GTEST_SKIP() << "chromium not installed (Debian package chromium; scripts/install-deps.sh "
                      "installs it): the report is not checked in a browser";
    }
    report_dir_ = dir_.path() + "/report";
    page_ = report_dir_ + "/report.html";
    screenshot_ = dir_.path() + "/report.png";
    pdf_ = dir_.path() + "/report.pdf";
  }

  void TearDown() override {
    if (!chromium_.empty()) keep_for_inspection(dir_.path());
  }

  // Opens page_ in chromium; writes screenshot_ and pdf_.
  BrowserRun open_page() {
    BrowserRun out;
    const std::string node = find_program("node");
    const std::filesystem::path driver_dir = std::string(GREENROUTE_SOURCE_DIR) + "/tests/report/chromium";
    const char* driver = std::getenv("GREENROUTE_CHROMIUM_DRIVER");
    const bool force_cli = driver != nullptr && std::string(driver) == "cli";
    out.playwright = !force_cli && !node.empty() &&
                     std::filesystem::exists(driver_dir / "node_modules" / "playwright-core");
    const std::string log = dir_.path() + "/chromium.log";
    if (out.playwright) {
      const std::string result = dir_.path() + "/check.json";
      const int rc = run("timeout 180 " + shell_quote(node) + " " +
                         shell_quote((driver_dir / "check_report.mjs").string()) + " " + shell_quote(chromium_) +
                         " " + shell_quote(page_) + " " + shell_quote(screenshot_) + " " + shell_quote(pdf_) +
                         " > " + shell_quote(result) + " 2> " + shell_quote(log));
      EXPECT_EQ(rc, 0) << "check_report.mjs failed:\n" << read_file(log);
      out.details = nlohmann::json::parse(read_file(result), nullptr, false);
      if (out.details.is_discarded() || !out.details.is_object()) {
        ADD_FAILURE() << "check_report.mjs printed no JSON: " << read_file(result);
        out.details = nlohmann::json::object();
        return out;
      }
      for (const char* list : {"console", "page_errors", "failed_requests"}) {
        for (const auto& item : out.details.value(list, nlohmann::json::array())) {
          out.problems.push_back(std::string(list) + ": " + item.get<std::string>());
        }
      }
      // Nothing may be requested but the page itself.
      for (const auto& url : out.details.value("requests", nlohmann::json::array())) {
        if (url != out.details["page_url"]) out.problems.push_back("request: " + url.get<std::string>());
      }
      return out;
    }
    std::cout << "[ INFO ] using the chromium command line, which sees console messages only "
                 "(playwright-core not installed by scripts/install-deps.sh --npm, no node, or "
                 "GREENROUTE_CHROMIUM_DRIVER=cli)\n";
    // A profile of its own: tests running at once must not share a browser.
    const std::string flags = " --headless --no-sandbox --disable-gpu --hide-scrollbars "
                              "--enable-logging=stderr --v=0 --user-data-dir=" +
                              shell_quote(dir_.path() + "/chromium-profile") + " ";
    const std::string url = "file://" + page_;
    int rc = run("timeout 180 " + shell_quote(chromium_) + flags + "--window-size=1280,6000 --screenshot=" +
                 shell_quote(screenshot_) + " " + shell_quote(url) + " > /dev/null 2> " + shell_quote(log));
    EXPECT_EQ(rc, 0) << read_file(log);
    const std::string said = read_file(log);
    // Chromium logs each console message (CSP refusals and uncaught
    // exceptions included) as "...:CONSOLE:<line>] "message", source: ...".
    for (std::size_t at = said.find(":CONSOLE"); at != std::string::npos; at = said.find(":CONSOLE", at + 1)) {
      out.problems.push_back("console: " + said.substr(at, said.find('\n', at) - at));
    }
    rc = run("timeout 180 " + shell_quote(chromium_) + flags + "--no-pdf-header-footer --print-to-pdf=" +
             shell_quote(pdf_) + " " + shell_quote(url) + " > /dev/null 2>> " + shell_quote(log));
    EXPECT_EQ(rc, 0) << read_file(log);
    return out;
  }

  void check_screenshot() {
    // The first two policies' colours (greedy-fastest, carbon-aware) appear
    // in the charts; the header band is dark green.
    const std::uint32_t kBlue = 0x0072B2, kVermillion = 0xD55E00, kHeader = 0x0B3D2E;
    const PngStats png = probe_png(screenshot_, {kBlue, kVermillion, kHeader});
    ASSERT_EQ(png.error, "");
    EXPECT_EQ(png.width, 1280);
    EXPECT_GE(png.height, 2000) << "the page should be several screens long";
    EXPECT_GT(png.non_background, 0.03) << "screenshot is (nearly) blank";
    EXPECT_GE(png.distinct_colours, 64u) << "screenshot has too few colours to hold text and charts";
    EXPECT_GT(png.near(kBlue), 200u) << "no chart series drawn in #0072B2";
    EXPECT_GT(png.near(kVermillion), 200u) << "no chart series drawn in #D55E00";
    EXPECT_GT(png.near(kHeader), 20000u) << "the header band is missing";
    EXPECT_GT(std::filesystem::file_size(screenshot_), 50'000u);
  }

  void check_pdf() {
    ASSERT_TRUE(std::filesystem::exists(pdf_)) << "no PDF printed";
    EXPECT_EQ(read_file(pdf_).substr(0, 5), "%PDF-");
    EXPECT_GT(std::filesystem::file_size(pdf_), 20'000u);
  }

  TempDir dir_;
  std::string chromium_;
  std::string report_dir_;
  std::string page_;
  std::string screenshot_;
  std::string pdf_;
};

TEST_F(ReportInChromium, LoadsWithoutErrorsAndLooksLikeAReport) {
  core::Result<ExperimentData> data = testing_util::realistic_experiment();
  ASSERT_TRUE(data.is_ok()) << data.status().to_string();
  const core::Status written = write_experiment_report(report_dir_, *data);
  ASSERT_TRUE(written.is_ok()) << written.to_string();
  const BrowserRun found = open_page();
  for (const std::string& p : found.problems) ADD_FAILURE() << p;
  if (found.playwright) {
    const nlohmann::json& d = found.details;
    EXPECT_TRUE(d.value("loaded", false)) << d.dump(2);
    EXPECT_EQ(d.value("title", ""), data->title);
    // bench 1 + live 2 + 2 per scenario.
    EXPECT_EQ(d.value("svg_count", 0u), 3 + 2 * data->simulations.size());
    EXPECT_EQ(d.value("sections", 0u), 6 + data->simulations.size());
    EXPECT_LE(d.value("narrow_overflow_px", 1 << 20), 0) << "the page is wider than a phone";
  }
  check_screenshot();
  check_pdf();
}

// The check itself must see trouble: a page that loads an image from the
// network and runs a script (both refused by the report's security policy)
// gives problems, whichever driver runs.
TEST_F(ReportInChromium, SeesAPageThatReachesOutside) {
  const core::Status written = write_experiment_report(report_dir_, testing_util::small_experiment());
  ASSERT_TRUE(written.is_ok()) << written.to_string();
  std::string html = read_file(page_);
  const std::size_t body_end = html.rfind("</body>");
  ASSERT_NE(body_end, std::string::npos);
  html.insert(body_end,
              "<img src=\"https://example.invalid/pixel.png\" alt=\"\"/>"
              "<script>throw new Error('canary');</script>");
  testing_util::write_file(page_, html);
  const BrowserRun found = open_page();
  std::string all;
  for (const std::string& p : found.problems) all += p + "\n";
  EXPECT_NE(all.find("example.invalid"), std::string::npos) << all;
  EXPECT_NE(all.find("script"), std::string::npos) << all;
}

}  // namespace
}  // namespace greenroute::report
