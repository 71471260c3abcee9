#include "greenroute/carbon/source_factory.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdlib>
#include <initializer_list>
#include <span>
#include <utility>
#include <vector>

#include "greenroute/carbon/cached_source.h"
#include "greenroute/carbon/csv_trace_source.h"
#include "greenroute/carbon/electricity_maps_source.h"
#include "greenroute/carbon/static_source.h"
#include "greenroute/carbon/uk_grid_source.h"
#include "greenroute/carbon/watttime_source.h"
#include "greenroute/carbon/zone_table_source.h"

namespace greenroute::carbon {
namespace {

constexpr std::string_view kKinds =
    "static:G, zone-table, csv:PATH, electricity-maps, watttime, uk-grid";
constexpr std::array<std::string_view, 7> kLiveOptions = {
    "url", "timeout_ms", "ttl", "bucket", "max_stale", "backoff", "fallback"};
// Values of these options are credentials: never echoed in a message.
constexpr std::array<std::string_view, 3> kSecretOptions = {"key", "user", "password"};

bool contains(std::span<const std::string_view> list, std::string_view s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

struct Spec {
  std::string kind;
  std::string positional;
  std::vector<std::pair<std::string, std::string>> options;

  const std::string* find(std::string_view key) const {
    for (const auto& [k, v] : options) {
      if (k == key) return &v;
    }
    return nullptr;
  }
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool known_kind(std::string_view kind) {
  return kind == "static" || kind == "zone-table" || kind == "csv" || kind == "electricity-maps" ||
         kind == "watttime" || kind == "uk-grid";
}

core::Result<Spec> parse_spec(std::string_view text) {
  text = trim(text);
  if (text.empty())
    return core::invalid_argument("empty carbon source spec; expected one of: " +
                                  std::string(kKinds));
  Spec spec;
  const std::size_t colon = text.find(':');
  spec.kind = std::string(trim(text.substr(0, colon)));
  if (!known_kind(spec.kind)) {
    return core::invalid_argument("unknown carbon source '" + spec.kind +
                                  "'; expected one of: " + std::string(kKinds));
  }
  if (colon == std::string_view::npos) return spec;
  std::string_view args = text.substr(colon + 1);
  if (trim(args).empty()) {
    return core::invalid_argument("carbon source spec '" + spec.kind + ":' has nothing after ':'");
  }
  const bool has_positional = spec.kind == "static" || spec.kind == "csv";
  for (bool first = true;; first = false) {
    const std::size_t comma = args.find(',');
    const std::string_view arg = trim(args.substr(0, comma));
    if (arg.empty()) {
      return core::invalid_argument("carbon source spec for '" + spec.kind +
                                    "' has an empty option");
    }
    if (first && has_positional) {
      spec.positional = std::string(arg);
    } else {
      const std::size_t eq = arg.find('=');
      if (eq == std::string_view::npos || eq == 0) {
        return core::invalid_argument("carbon source option '" + std::string(arg.substr(0, eq)) +
                                      "' for '" + spec.kind + "' must be written key=value");
      }
      std::string key(trim(arg.substr(0, eq)));
      if (spec.find(key))
        return core::invalid_argument("carbon source option '" + key + "' given twice");
      spec.options.emplace_back(std::move(key), std::string(trim(arg.substr(eq + 1))));
    }
    if (comma == std::string_view::npos) break;
    args = args.substr(comma + 1);
  }
  return spec;
}

core::Status check_options(const Spec& spec, std::initializer_list<std::string_view> allowed,
                           bool live) {
  for (const auto& [key, value] : spec.options) {
    if (contains({allowed.begin(), allowed.size()}, key) || (live && contains(kLiveOptions, key)))
      continue;
    std::string known;
    for (std::string_view k : allowed) known += (known.empty() ? "" : ", ") + std::string(k);
    if (live) {
      for (std::string_view k : kLiveOptions) known += (known.empty() ? "" : ", ") + std::string(k);
    }
    return core::invalid_argument("unknown option '" + key + "' for carbon source '" + spec.kind +
                                  "'" +
                                  (known.empty() ? " (it takes none)" : " (known: " + known + ")"));
  }
  return core::Status::ok();
}

core::Status bad_value(const Spec& spec, std::string_view key, const std::string& value,
                       std::string_view expected) {
  const std::string shown = contains(kSecretOptions, key) ? "(hidden)" : "'" + value + "'";
  return core::invalid_argument("carbon source '" + spec.kind + "' option " + std::string(key) +
                                "=" + shown + ": expected " + std::string(expected));
}

// Reads an integer option in [min, max] into *out, leaving it alone if absent.
core::Status int_option(const Spec& spec, std::string_view key, std::int64_t min, std::int64_t max,
                        std::int64_t* out) {
  const std::string* v = spec.find(key);
  if (!v) return core::Status::ok();
  std::int64_t n = 0;
  const auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc() || end != v->data() + v->size() || n < min || n > max) {
    return bad_value(
        spec, key, *v,
        "a whole number in [" + std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  *out = n;
  return core::Status::ok();
}

core::Status bool_option(const Spec& spec, std::string_view key, bool* out) {
  const std::string* v = spec.find(key);
  if (!v) return core::Status::ok();
  if (*v == "yes" || *v == "true" || *v == "1")
    *out = true;
  else if (*v == "no" || *v == "false" || *v == "0")
    *out = false;
  else
    return bad_value(spec, key, *v, "yes or no");
  return core::Status::ok();
}

core::Status basis_option(const Spec& spec, Lifecycle* out) {
  const std::string* v = spec.find("basis");
  if (!v) return core::Status::ok();
  if (*v == "direct")
    *out = Lifecycle::kDirect;
  else if (*v == "lifecycle")
    *out = Lifecycle::kLifecycle;
  else
    return bad_value(spec, "basis", *v, "direct or lifecycle");
  return core::Status::ok();
}

// The spec's credential, else the environment's; empty if neither.
std::string credential(const Spec& spec, std::string_view key, const std::string& env_name,
                       const SourceFactoryContext& context) {
  if (const std::string* v = spec.find(key)) return *v;
  if (context.getenv) return context.getenv(env_name).value_or("");
  const char* env = std::getenv(env_name.c_str());
  return env ? env : "";
}

core::Result<std::unique_ptr<CarbonSource>> make_offline(const Spec& spec) {
  if (spec.kind == "static") {
    GR_RETURN_IF_ERROR(check_options(spec, {}, false));
    double g = 0.0;
    const std::string& v = spec.positional;
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), g);
    if (v.empty() || ec != std::errc() || end != v.data() + v.size() || !(g >= 0.0) || g > 1e5) {
      return core::invalid_argument(
          "carbon source 'static:" + v +
          "': expected static:G with G a number of gCO2e/kWh in [0, 100000]");
    }
    return std::unique_ptr<CarbonSource>(std::make_unique<StaticSource>(g));
  }
  if (spec.kind == "zone-table") {
    GR_RETURN_IF_ERROR(check_options(spec, {}, false));
    return std::unique_ptr<CarbonSource>(std::make_unique<ZoneTableSource>());
  }
  // csv
  GR_RETURN_IF_ERROR(check_options(spec, {"zone", "basis", "interp", "loop", "skip_bad"}, false));
  if (spec.positional.empty())
    return core::invalid_argument("carbon source 'csv' needs a path: csv:PATH");
  CsvTraceOptions options;
  GR_RETURN_IF_ERROR(basis_option(spec, &options.basis));
  GR_RETURN_IF_ERROR(bool_option(spec, "loop", &options.loop_year));
  GR_RETURN_IF_ERROR(bool_option(spec, "skip_bad", &options.skip_bad_rows));
  if (const std::string* z = spec.find("zone")) options.zone = *z;
  if (const std::string* i = spec.find("interp")) {
    if (*i == "step")
      options.interpolation = Interpolation::kStep;
    else if (*i == "linear")
      options.interpolation = Interpolation::kLinear;
    else
      return bad_value(spec, "interp", *i, "step or linear");
  }
  GR_ASSIGN_OR_RETURN(std::unique_ptr<CsvTraceSource> csv,
                      CsvTraceSource::load(spec.positional, options));
  return std::unique_ptr<CarbonSource>(std::move(csv));
}

core::Result<HttpSourceOptions> http_options(const Spec& spec,
                                             const SourceFactoryContext& context) {
  HttpSourceOptions http;
  if (const std::string* url = spec.find("url")) http.base_url = *url;
  std::int64_t timeout_ms = http.read_timeout_ms;
  GR_RETURN_IF_ERROR(int_option(spec, "timeout_ms", 1, 600'000, &timeout_ms));
  http.connect_timeout_ms = timeout_ms;
  http.read_timeout_ms = timeout_ms;
  http.unix_clock = context.unix_clock;
  return http;
}

// Wraps a live source in its cache, with the spec's cache options and
// fallback.
core::Result<std::unique_ptr<CarbonSource>> cached(const Spec& spec,
                                                   std::unique_ptr<CarbonSource> live,
                                                   const SourceFactoryContext& context) {
  CacheOptions cache;
  constexpr std::int64_t kWeek = 7 * 24 * 3600;
  GR_RETURN_IF_ERROR(int_option(spec, "ttl", 0, kWeek, &cache.ttl_s));
  GR_RETURN_IF_ERROR(int_option(spec, "bucket", 1, kWeek, &cache.bucket_s));
  GR_RETURN_IF_ERROR(int_option(spec, "max_stale", 0, kWeek, &cache.max_stale_s));
  GR_RETURN_IF_ERROR(int_option(spec, "backoff", 0, kWeek, &cache.failure_backoff_s));
  std::unique_ptr<CarbonSource> fallback;
  if (const std::string* f = spec.find("fallback"); f && *f != "none") {
    core::Result<Spec> fs = parse_spec(*f);
    if (!fs.is_ok() || (fs->kind != "static" && fs->kind != "zone-table" && fs->kind != "csv")) {
      return bad_value(spec, "fallback", *f, "none, zone-table, static:G or csv:PATH");
    }
    core::Result<std::unique_ptr<CarbonSource>> fb = make_offline(*fs);
    if (!fb.is_ok()) return fb.status().with_context("fallback");
    fallback = std::move(fb).value();
  }
  GR_ASSIGN_OR_RETURN(
      std::unique_ptr<CachedSource> c,
      CachedSource::create(std::move(live), std::move(fallback), context.clock, cache));
  return std::unique_ptr<CarbonSource>(std::move(c));
}

}  // namespace

core::Result<std::unique_ptr<CarbonSource>> make_carbon_source(
    std::string_view text, const SourceFactoryContext& context) {
  GR_ASSIGN_OR_RETURN(const Spec spec, parse_spec(text));
  if (spec.kind == "static" || spec.kind == "zone-table" || spec.kind == "csv")
    return make_offline(spec);

  if (spec.kind == "electricity-maps") {
    GR_RETURN_IF_ERROR(check_options(spec, {"key", "basis", "window"}, true));
    ElectricityMapsOptions options;
    options.api_key = credential(spec, "key", "ELECTRICITYMAPS_API_KEY", context);
    if (options.api_key.empty()) {
      return core::invalid_argument(
          "carbon source 'electricity-maps' needs an API key: set ELECTRICITYMAPS_API_KEY or write "
          "electricity-maps:key=KEY");
    }
    GR_RETURN_IF_ERROR(basis_option(spec, &options.basis));
    GR_RETURN_IF_ERROR(int_option(spec, "window", 0, 24 * 3600, &options.now_window_s));
    GR_ASSIGN_OR_RETURN(options.http, http_options(spec, context));
    GR_ASSIGN_OR_RETURN(std::unique_ptr<ElectricityMapsSource> live,
                        ElectricityMapsSource::create(std::move(options)));
    return cached(spec, std::move(live), context);
  }
  if (spec.kind == "watttime") {
    GR_RETURN_IF_ERROR(check_options(spec, {"user", "password"}, true));
    WattTimeOptions options;
    options.username = credential(spec, "user", "WATTTIME_USERNAME", context);
    options.password = credential(spec, "password", "WATTTIME_PASSWORD", context);
    if (options.username.empty() || options.password.empty()) {
      return core::invalid_argument(
          "carbon source 'watttime' needs credentials: set WATTTIME_USERNAME and WATTTIME_PASSWORD "
          "(or write watttime:user=U,password=P)");
    }
    GR_ASSIGN_OR_RETURN(options.http, http_options(spec, context));
    GR_ASSIGN_OR_RETURN(std::unique_ptr<WattTimeSource> live,
                        WattTimeSource::create(std::move(options)));
    return cached(spec, std::move(live), context);
  }
  if (spec.kind == "uk-grid") {
    GR_RETURN_IF_ERROR(check_options(spec, {}, true));
    UkGridOptions options;
    GR_ASSIGN_OR_RETURN(options.http, http_options(spec, context));
    GR_ASSIGN_OR_RETURN(std::unique_ptr<UkGridSource> live,
                        UkGridSource::create(std::move(options)));
    return cached(spec, std::move(live), context);
  }
  return core::internal_error("carbon source kind '" + spec.kind + "' is known but not built");
}

}  // namespace greenroute::carbon
