#include "bench_prompts.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <utility>

namespace greenroute::cli {

namespace {

using nlohmann::json;

constexpr std::string_view kBom = "\xEF\xBB\xBF";

// One non-blank, non-comment line of a JSONL text.
struct Record {
  int line = 0;
  std::string text;
};

// Splits JSONL as parse_prompts_jsonl does: '\n' lines, a trailing '\r'
// dropped, blank lines and lines starting with '#' skipped.
std::vector<Record> jsonl_records(const std::string& text) {
  std::vector<Record> out;
  std::istringstream in(text);
  std::string raw;
  int line_no = 0;
  while (std::getline(in, raw)) {
    ++line_no;
    if (!raw.empty() && raw.back() == '\r') raw.pop_back();
    std::size_t first = raw.find_first_not_of(" \t");
    if (first == std::string::npos || raw[first] == '#') continue;
    out.push_back({line_no, std::move(raw)});
  }
  return out;
}

// " (id \"x\")" when the record has a usable id, else "".
std::string id_note(const json& obj, const char* key) {
  if (!obj.is_object()) return "";
  auto it = obj.find(key);
  if (it == obj.end()) return "";
  if (it->is_string() || it->is_number_integer()) return " (id " + it->dump() + ")";
  return "";
}

// A string or integer id as text; "" when absent. Other types are an error.
core::Status read_id(const json& obj, const char* key, const std::string& where, std::string* out) {
  auto it = obj.find(key);
  if (it == obj.end()) return core::Status::ok();
  if (it->is_string()) {
    *out = it->get<std::string>();
  } else if (it->is_number_integer()) {
    *out = it->dump();
  } else {
    return core::invalid_argument(where + ": field '" + key + "' must be a string or an integer");
  }
  return core::Status::ok();
}

// One MT-bench question: {"question_id", "category", "turns": [...], ...}.
core::Status mt_bench_question(const json& obj, const std::string& where, PromptSpec* spec) {
  const std::string at = where + id_note(obj, "question_id");
  const json& turns = obj.at("turns");  // present: the caller checked
  if (!turns.is_array() || turns.empty()) {
    return core::invalid_argument(at + ": field 'turns' must be a non-empty list of strings");
  }
  for (std::size_t i = 0; i < turns.size(); ++i) {
    if (!turns[i].is_string()) {
      return core::invalid_argument(at + ": field 'turns' entry " + std::to_string(i) +
                                    " must be a string");
    }
  }
  spec->prompt = turns[0].get<std::string>();
  if (spec->prompt.empty())
    return core::invalid_argument(at + ": the first turn must not be empty");
  GR_RETURN_IF_ERROR(read_id(obj, "question_id", at, &spec->id));
  if (auto it = obj.find("category"); it != obj.end()) {
    if (!it->is_string()) return core::invalid_argument(at + ": field 'category' must be a string");
    spec->category = it->get<std::string>();
  }
  return core::Status::ok();
}

// One ShareGPT conversation: {"id", "conversations": [{"from", "value"}, ...]}.
// Sets *usable to false (and leaves spec alone) when it has no non-empty
// human turn.
core::Status sharegpt_conversation(const json& obj, const std::string& where, PromptSpec* spec,
                                   bool* usable) {
  if (!obj.is_object()) {
    return core::invalid_argument(
        where + ": expected an object like {\"id\": ..., \"conversations\": [...]}");
  }
  const std::string at = where + id_note(obj, "id");
  auto conv = obj.find("conversations");
  if (conv == obj.end()) return core::invalid_argument(at + ": missing field 'conversations'");
  if (!conv->is_array()) {
    return core::invalid_argument(
        at + ": field 'conversations' must be a list of {\"from\", \"value\"}");
  }
  const json* first_human = nullptr;
  for (std::size_t i = 0; i < conv->size(); ++i) {
    const json& turn = (*conv)[i];
    if (!turn.is_object() || !turn.contains("from") || !turn.contains("value") ||
        !turn["from"].is_string() || !turn["value"].is_string()) {
      return core::invalid_argument(at + ": conversations[" + std::to_string(i) +
                                    "] must be {\"from\": string, \"value\": string}");
    }
    const std::string& from = turn["from"].get_ref<const std::string&>();
    if (first_human == nullptr && (from == "human" || from == "user")) first_human = &turn["value"];
  }
  *usable = first_human != nullptr && !first_human->get_ref<const std::string&>().empty();
  if (!*usable) return core::Status::ok();
  spec->prompt = first_human->get<std::string>();
  return read_id(obj, "id", at, &spec->id);
}

core::Result<PromptSet> finish(PromptSet set, const std::string& source) {
  if (set.prompts.empty()) {
    std::string msg = source + ": contains no prompts";
    if (set.skipped > 0) {
      msg += " (" + std::to_string(set.skipped) + " conversation(s) had no non-empty human turn)";
    }
    return core::invalid_argument(msg);
  }
  return set;
}

core::Result<PromptSet> parse_sharegpt_array(const std::string& text, const std::string& source) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    // what() is "[json.exception.parse_error.101] parse error at line L, column C: ...".
    std::string detail = e.what();
    if (auto p = detail.find("] "); p != std::string::npos) detail.erase(0, p + 2);
    return core::invalid_argument(
        source + ": not valid JSON (a file starting with '[' is read as a ShareGPT " +
        "JSON array): " + detail);
  }
  PromptSet set;
  set.format = PromptSetFormat::kShareGptJson;
  for (std::size_t i = 0; i < doc.size(); ++i) {
    PromptSpec spec;
    bool usable = false;
    GR_RETURN_IF_ERROR(
        sharegpt_conversation(doc[i], source + ": entry " + std::to_string(i), &spec, &usable));
    if (!usable) {
      ++set.skipped;
      continue;
    }
    set.prompts.push_back(std::move(spec));
  }
  return finish(std::move(set), source);
}

// MT-bench or ShareGPT records, one per line; every record must have the
// format's key field ("turns" or "conversations").
core::Result<PromptSet> parse_public_jsonl(const std::vector<Record>& records,
                                           PromptSetFormat format, const std::string& source) {
  const bool mt = format == PromptSetFormat::kMtBenchJsonl;
  const char* key = mt ? "turns" : "conversations";
  PromptSet set;
  set.format = format;
  for (const Record& r : records) {
    const std::string where = source + ":" + std::to_string(r.line);
    json obj = json::parse(r.text, nullptr, /*allow_exceptions=*/false);
    if (obj.is_discarded()) return core::invalid_argument(where + ": not valid JSON");
    if (!obj.is_object() || !obj.contains(key)) {
      return core::invalid_argument(where + id_note(obj, mt ? "question_id" : "id") +
                                    ": expected " +
                                    (mt ? "an MT-bench question" : "a ShareGPT conversation") +
                                    " with field '" + key + "', like the file's first record");
    }
    PromptSpec spec;
    spec.line = r.line;
    if (mt) {
      GR_RETURN_IF_ERROR(mt_bench_question(obj, where, &spec));
    } else {
      bool usable = false;
      GR_RETURN_IF_ERROR(sharegpt_conversation(obj, where, &spec, &usable));
      if (!usable) {
        ++set.skipped;
        continue;
      }
    }
    set.prompts.push_back(std::move(spec));
  }
  return finish(std::move(set), source);
}

}  // namespace

const char* prompt_set_format_name(PromptSetFormat format) {
  switch (format) {
    case PromptSetFormat::kGreenrouteJsonl:
      return "greenroute JSONL";
    case PromptSetFormat::kMtBenchJsonl:
      return "MT-bench JSONL";
    case PromptSetFormat::kShareGptJson:
      return "ShareGPT JSON";
    case PromptSetFormat::kShareGptJsonl:
      return "ShareGPT JSONL";
  }
  return "unknown";
}

core::Result<PromptSet> parse_prompt_set(const std::string& input, const std::string& source) {
  // A byte-order mark would otherwise hide a leading '[' or spoil line 1.
  const std::string text = input.starts_with(kBom) ? input.substr(kBom.size()) : input;
  const std::size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return core::invalid_argument(source + ": contains no prompts");
  if (text[first] == '[') return parse_sharegpt_array(text, source);

  const std::vector<Record> records = jsonl_records(text);
  if (records.empty()) return core::invalid_argument(source + ": contains no prompts");
  const Record& head = records.front();
  json obj = json::parse(head.text, nullptr, /*allow_exceptions=*/false);
  if (obj.is_discarded()) {
    json whole = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!whole.is_discarded() && whole.is_object()) {
      return core::invalid_argument(
          source +
          ": is one JSON object spread over several lines; prompt files need one JSON "
          "object per line (JSONL), or a JSON array of ShareGPT conversations");
    }
    // Fall through: the JSONL parser reports the line.
  } else if (obj.is_object()) {
    if (obj.contains("turns"))
      return parse_public_jsonl(records, PromptSetFormat::kMtBenchJsonl, source);
    if (obj.contains("conversations"))
      return parse_public_jsonl(records, PromptSetFormat::kShareGptJsonl, source);
    if (!obj.contains("prompt") && !obj.contains("messages")) {
      return core::invalid_argument(
          source + ":" + std::to_string(head.line) +
          ": unrecognised prompt record: expected 'prompt' or 'messages' (greenroute "
          "JSONL), 'turns' (MT-bench) or 'conversations' (ShareGPT)");
    }
  }
  auto specs = parse_prompts_jsonl(text, source);
  if (!specs.is_ok()) return specs.status();
  PromptSet set;
  set.format = PromptSetFormat::kGreenrouteJsonl;
  set.prompts = std::move(specs).value();
  return set;
}

core::Result<PromptSet> read_prompt_set(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return core::io_error("cannot read prompt file " + path + ": " + std::strerror(errno));
  std::ostringstream ss;
  ss << f.rdbuf();
  if (f.bad()) return core::io_error("error while reading prompt file " + path);
  return parse_prompt_set(ss.str(), path);
}

core::Result<PromptSet> builtin_prompt_set() {
  auto set = parse_prompt_set(std::string(embedded::bench_prompts_jsonl()), kBuiltinPromptSource);
  if (!set.is_ok())
    return core::internal_error("the built-in prompt set is broken: " + set.status().message());
  std::set<std::string> ids;
  for (const PromptSpec& p : set->prompts) {
    if (p.id.empty() || p.category.empty() || p.length.empty() || p.prompt.empty()) {
      return core::internal_error(std::string(kBuiltinPromptSource) + ":" + std::to_string(p.line) +
                                  ": needs a prompt, id, category and length");
    }
    if (!ids.insert(p.id).second) {
      return core::internal_error(std::string(kBuiltinPromptSource) + ":" + std::to_string(p.line) +
                                  ": duplicate id " + p.id);
    }
  }
  return set;
}

}  // namespace greenroute::cli
