// profile.json reader: text -> JSON -> DeviceProfile -> validate_profile.
// Structure (presence, types, unknown fields) is checked here while reading;
// ranges and cross-field rules by validate_profile, whose paths are the same.
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

#include "greenroute/profile/profile_json.h"
#include "profile/json_reader.h"
#include "profile/schema.h"

namespace greenroute::profile {
namespace {

using detail::ObjectReader;
using nlohmann::json;

std::string element_path(std::string_view array_path, std::size_t i) {
  return std::string(array_path) + "[" + std::to_string(i) + "]";
}

core::Result<Spread> read_spread(const json& j, std::string path) {
  GR_ASSIGN_OR_RETURN(ObjectReader r, ObjectReader::open(j, std::move(path)));
  Spread s;
  GR_ASSIGN_OR_RETURN(s.median, r.number("median"));
  GR_ASSIGN_OR_RETURN(s.min, r.number("min"));
  GR_ASSIGN_OR_RETURN(s.max, r.number("max"));
  GR_RETURN_IF_ERROR(r.finish());
  return s;
}

core::Result<SweepPoint> read_sweep_point(const json& j, std::string path) {
  GR_ASSIGN_OR_RETURN(ObjectReader r, ObjectReader::open(j, std::move(path)));
  SweepPoint p;
  GR_ASSIGN_OR_RETURN(p.batch_size, r.integer("batch_size"));
  GR_ASSIGN_OR_RETURN(p.max_tokens, r.integer("max_tokens"));
  GR_ASSIGN_OR_RETURN(p.repeats, r.integer("repeats"));
  GR_ASSIGN_OR_RETURN(p.saturated, r.boolean("saturated"));
  GR_ASSIGN_OR_RETURN(p.mean_prompt_tokens, r.number("mean_prompt_tokens"));
  GR_ASSIGN_OR_RETURN(p.mean_output_tokens, r.number("mean_output_tokens"));
  GR_ASSIGN_OR_RETURN(const json* latency, r.object("latency_ms"));
  GR_ASSIGN_OR_RETURN(p.latency_ms, read_spread(*latency, r.child("latency_ms")));
  GR_ASSIGN_OR_RETURN(p.prompt_latency_ms, r.number("prompt_latency_ms"));
  GR_ASSIGN_OR_RETURN(p.ttft_ms, r.number("ttft_ms"));
  GR_ASSIGN_OR_RETURN(p.throughput_tokens_per_s, r.number("throughput_tokens_per_s"));
  GR_ASSIGN_OR_RETURN(const json* jpp, r.object("joules_per_prompt"));
  GR_ASSIGN_OR_RETURN(p.joules_per_prompt, read_spread(*jpp, r.child("joules_per_prompt")));
  GR_ASSIGN_OR_RETURN(p.joules_per_output_token, r.number("joules_per_output_token"));
  GR_ASSIGN_OR_RETURN(p.mean_watts, r.number("mean_watts"));
  GR_ASSIGN_OR_RETURN(p.peak_watts, r.number("peak_watts"));
  GR_ASSIGN_OR_RETURN(p.predicted_bytes, r.unsigned_integer("predicted_bytes"));
  GR_ASSIGN_OR_RETURN(p.peak_rss_bytes, r.unsigned_integer("peak_rss_bytes"));
  GR_ASSIGN_OR_RETURN(p.note, r.string("note"));
  GR_RETURN_IF_ERROR(r.finish());
  return p;
}

// Marks the coefficients named in `key` (an array of names) with `state`.
core::Status read_term_list(ObjectReader& r, std::string_view key, detail::ModelRole role,
                            TermState state, CostModel* m) {
  GR_ASSIGN_OR_RETURN(const json* list, r.array(key));
  for (std::size_t i = 0; i < list->size(); ++i) {
    const json& e = (*list)[i];
    const std::string path = element_path(r.child(key), i);
    if (!e.is_string()) {
      return core::corrupt(path + ": expected a coefficient name, found " +
                           std::string(detail::json_type_name(e)));
    }
    const auto term = detail::term_from_key(role, e.get<std::string>());
    if (!term)
      return core::corrupt(path + ": '" + e.get<std::string>() +
                           "' is not a coefficient of this model");
    const int t = static_cast<int>(*term);
    if (m->state[t] != TermState::kFitted) {
      return core::corrupt(path + ": '" + e.get<std::string>() + "' is listed twice");
    }
    m->state[t] = state;
  }
  return core::Status::ok();
}

core::Result<CostModel> read_model(const json& j, detail::ModelRole role) {
  GR_ASSIGN_OR_RETURN(ObjectReader r, ObjectReader::open(j, std::string(detail::model_key(role))));
  CostModel m;
  m.terms = detail::model_terms(role);
  for (int t = 0; t < kNumTerms; ++t) {
    m.state[t] = m.uses(static_cast<Term>(t)) ? TermState::kFitted : TermState::kNotIdentified;
  }
  GR_ASSIGN_OR_RETURN(const std::string method, r.string("method"));
  if (method == "nnls") {
    m.method = FitMethod::kNnls;
  } else if (method == "analytic") {
    m.method = FitMethod::kAnalytic;
  } else {
    return core::corrupt(r.child("method") + ": expected \"nnls\" or \"analytic\", found \"" +
                         method + "\"");
  }
  GR_ASSIGN_OR_RETURN(const json* coefficients, r.object("coefficients"));
  GR_ASSIGN_OR_RETURN(ObjectReader c, ObjectReader::open(*coefficients, r.child("coefficients")));
  for (int t = 0; t < kNumTerms; ++t) {
    const Term term = static_cast<Term>(t);
    if (!m.uses(term)) continue;
    GR_ASSIGN_OR_RETURN(m.coef[t], c.number(detail::coefficient_key(role, term)));
  }
  GR_RETURN_IF_ERROR(c.finish());
  GR_RETURN_IF_ERROR(read_term_list(r, "clamped_to_zero", role, TermState::kClampedToZero, &m));
  GR_RETURN_IF_ERROR(read_term_list(r, "not_identified", role, TermState::kNotIdentified, &m));
  GR_ASSIGN_OR_RETURN(const json* fit, r.nullable("fit"));
  if (fit != nullptr) {
    GR_ASSIGN_OR_RETURN(ObjectReader f, ObjectReader::open(*fit, r.child("fit")));
    FitStats s;
    GR_ASSIGN_OR_RETURN(s.n, f.integer("n"));
    GR_ASSIGN_OR_RETURN(s.r2, f.number("r2"));
    GR_ASSIGN_OR_RETURN(s.mape_pct, f.number("mape_pct"));
    GR_ASSIGN_OR_RETURN(s.rmse, f.number("rmse"));
    GR_RETURN_IF_ERROR(f.finish());
    m.fit = s;
  }
  GR_ASSIGN_OR_RETURN(m.note, r.string("note"));
  GR_RETURN_IF_ERROR(r.finish());
  return m;
}

core::Status read_identity(ObjectReader& root, DeviceProfile* p) {
  GR_ASSIGN_OR_RETURN(const json* device, root.object("device"));
  GR_ASSIGN_OR_RETURN(ObjectReader d, ObjectReader::open(*device, "device"));
  GR_ASSIGN_OR_RETURN(p->device.name, d.string("name"));
  GR_ASSIGN_OR_RETURN(p->device.accelerator, d.string("accelerator"));
  GR_ASSIGN_OR_RETURN(p->device.cpu, d.string("cpu"));
  GR_ASSIGN_OR_RETURN(p->device.threads, d.integer("threads"));
  GR_ASSIGN_OR_RETURN(p->device.memory_bytes, d.unsigned_integer("memory_bytes"));
  GR_RETURN_IF_ERROR(d.finish());

  GR_ASSIGN_OR_RETURN(const json* model, root.object("model"));
  GR_ASSIGN_OR_RETURN(ObjectReader m, ObjectReader::open(*model, "model"));
  GR_ASSIGN_OR_RETURN(p->model.name, m.string("name"));
  GR_ASSIGN_OR_RETURN(p->model.architecture, m.string("architecture"));
  GR_ASSIGN_OR_RETURN(p->model.parameters, m.unsigned_integer("parameters"));
  GR_ASSIGN_OR_RETURN(p->model.weight_type, m.string("weight_type"));
  GR_ASSIGN_OR_RETURN(p->model.file, m.string("file"));
  GR_ASSIGN_OR_RETURN(p->model.file_bytes, m.unsigned_integer("file_bytes"));
  GR_ASSIGN_OR_RETURN(p->model.synthetic, m.boolean("synthetic"));
  GR_RETURN_IF_ERROR(m.finish());

  GR_ASSIGN_OR_RETURN(const json* meter, root.object("meter"));
  GR_ASSIGN_OR_RETURN(ObjectReader t, ObjectReader::open(*meter, "meter"));
  GR_ASSIGN_OR_RETURN(p->meter.name, t.string("name"));
  GR_ASSIGN_OR_RETURN(p->meter.measured, t.boolean("measured"));
  GR_ASSIGN_OR_RETURN(p->meter.sensor, t.string("sensor"));
  return t.finish();
}

core::Status read_batches(ObjectReader& root, DeviceProfile* p) {
  GR_ASSIGN_OR_RETURN(p->knee_batch, root.integer("knee_batch"));
  GR_ASSIGN_OR_RETURN(const json* sat, root.nullable("saturation_batch"));
  if (sat != nullptr) {
    if (!sat->is_number_integer()) {
      return core::corrupt("saturation_batch: expected an integer or null, found " +
                           std::string(detail::json_type_name(*sat)));
    }
    GR_ASSIGN_OR_RETURN(p->saturation_batch, root.integer("saturation_batch"));
  }
  GR_ASSIGN_OR_RETURN(p->max_batch_fits, root.integer("max_batch_fits"));
  GR_ASSIGN_OR_RETURN(const json* best, root.object("best_batch"));
  GR_ASSIGN_OR_RETURN(ObjectReader b, ObjectReader::open(*best, "best_batch"));
  GR_ASSIGN_OR_RETURN(p->best_batch.energy, b.integer("energy"));
  GR_ASSIGN_OR_RETURN(p->best_batch.latency, b.integer("latency"));
  GR_ASSIGN_OR_RETURN(p->best_batch.throughput, b.integer("throughput"));
  return b.finish();
}

core::Status read_lists(ObjectReader& root, DeviceProfile* p) {
  GR_ASSIGN_OR_RETURN(const json* embodied, root.nullable("embodied_carbon"));
  if (embodied != nullptr) {
    GR_ASSIGN_OR_RETURN(ObjectReader e, ObjectReader::open(*embodied, "embodied_carbon"));
    carbon::EmbodiedCarbon ec;
    GR_ASSIGN_OR_RETURN(ec.total_kg, e.number("total_kg"));
    GR_ASSIGN_OR_RETURN(ec.lifetime_hours, e.number("lifetime_hours"));
    GR_RETURN_IF_ERROR(e.finish());
    p->embodied = ec;
  }
  GR_ASSIGN_OR_RETURN(const json* sweep, root.array("sweep"));
  for (std::size_t i = 0; i < sweep->size(); ++i) {
    GR_ASSIGN_OR_RETURN(SweepPoint s, read_sweep_point((*sweep)[i], element_path("sweep", i)));
    p->sweep.push_back(std::move(s));
  }
  GR_ASSIGN_OR_RETURN(const json* sources, root.array("sources"));
  for (std::size_t i = 0; i < sources->size(); ++i) {
    GR_ASSIGN_OR_RETURN(ObjectReader s,
                        ObjectReader::open((*sources)[i], element_path("sources", i)));
    Source src;
    GR_ASSIGN_OR_RETURN(src.id, s.string("id"));
    GR_ASSIGN_OR_RETURN(src.title, s.string("title"));
    GR_ASSIGN_OR_RETURN(src.url, s.string("url"));
    GR_ASSIGN_OR_RETURN(src.used_for, s.string("used_for"));
    GR_RETURN_IF_ERROR(s.finish());
    p->sources.push_back(std::move(src));
  }
  GR_ASSIGN_OR_RETURN(p->notes, root.string("notes"));
  return core::Status::ok();
}

// The document without the file name: messages start with the JSON path.
core::Result<DeviceProfile> read_document(const json& doc) {
  GR_ASSIGN_OR_RETURN(ObjectReader root, ObjectReader::open(doc, ""));
  GR_ASSIGN_OR_RETURN(const std::string schema, root.string("schema"));
  if (schema != kSchemaId) {
    return core::corrupt("schema: expected \"" + std::string(kSchemaId) + "\", found \"" +
                         schema.substr(0, 60) + "\" (not a greenroute profile)");
  }
  GR_ASSIGN_OR_RETURN(const int version, root.integer("version"));
  if (version != kSchemaVersion) {
    return core::unsupported("version: " + std::to_string(version) +
                             " is not supported (this greenroute reads " +
                             std::to_string(kSchemaVersion) + ")");
  }
  DeviceProfile p;
  GR_ASSIGN_OR_RETURN(const std::string kind, root.string("kind"));
  if (kind == "measured") {
    p.kind = ProfileKind::kMeasured;
  } else if (kind == "reference") {
    p.kind = ProfileKind::kReference;
  } else {
    return core::corrupt("kind: expected \"measured\" or \"reference\", found \"" +
                         kind.substr(0, 60) + "\"");
  }
  GR_ASSIGN_OR_RETURN(p.created_at, root.string("created_at"));
  GR_ASSIGN_OR_RETURN(p.greenroute_version, root.string("greenroute_version"));
  GR_RETURN_IF_ERROR(read_identity(root, &p));
  GR_ASSIGN_OR_RETURN(p.idle_watts, root.number("idle_watts"));
  GR_RETURN_IF_ERROR(read_batches(root, &p));
  for (detail::ModelRole role : detail::kModelRoles) {
    GR_ASSIGN_OR_RETURN(const json* m, root.object(detail::model_key(role)));
    GR_ASSIGN_OR_RETURN(detail::model_of(p, role), read_model(*m, role));
  }
  GR_RETURN_IF_ERROR(read_lists(root, &p));
  GR_RETURN_IF_ERROR(root.finish());
  const core::Status valid = validate_profile(p);
  if (!valid.is_ok()) return core::corrupt(valid.message());
  return p;
}

}  // namespace

core::Result<DeviceProfile> profile_from_json(const nlohmann::json& doc, std::string_view name) {
  auto p = read_document(doc);
  if (!p.is_ok())
    return core::Status(p.status().code(), std::string(name) + ": " + p.status().message());
  return p;
}

core::Result<DeviceProfile> parse_profile(std::string_view text, std::string_view name) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    // e.what() reads "[json.exception.parse_error.101] parse error at line 3, column 5: ...".
    std::string what = e.what();
    const auto bracket = what.find("] ");
    if (bracket != std::string::npos) what = what.substr(bracket + 2);
    return core::corrupt(std::string(name) + ": not valid JSON: " + what);
  }
  return profile_from_json(doc, name);
}

core::Result<DeviceProfile> load_profile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return core::not_found(path + ": no such file");
    return core::io_error(path + ": cannot open for reading");
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return core::io_error(path + ": read failed");
  return parse_profile(text.str(), path);
}

}  // namespace greenroute::profile
