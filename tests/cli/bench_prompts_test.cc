// Prompt sets for `greenroute bench`: the built-in set, format detection and
// the MT-bench and ShareGPT readers (src/cli/bench_prompts.h), plus the
// metadata fields of the generate prompt file. The real MT-bench and ShareGPT
// files in ../shared/data are read when present and skipped otherwise.
#include "bench_prompts.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace greenroute::cli {
namespace {

namespace fs = std::filesystem;

// (input, expected substring of the error) pairs.
using BadInputs = std::vector<std::pair<std::string, std::string>>;

// Asserts `r` failed with kInvalidArgument and a message containing `want`.
template <typename T>
void expect_error(const core::Result<T>& r, const std::string& want, const std::string& input) {
  ASSERT_FALSE(r.is_ok()) << input;
  EXPECT_EQ(r.status().code(), core::StatusCode::kInvalidArgument) << input;
  EXPECT_NE(r.status().message().find(want), std::string::npos)
      << "input: " << input << "\nwant: " << want << "\nmessage: " << r.status().message();
}

// ---- Metadata in the generate prompt file. ----

TEST(PromptFileMetadata, KeepsIdCategoryAndLength) {
  const std::string text =
      "{\"id\": \"qa-001\", \"category\": \"qa\", \"length\": \"short\", \"prompt\": \"Why?\"}\n"
      "{\"id\": 7, \"prompt\": \"Seven\", \"max_tokens\": 4}\n"
      "{\"prompt\": \"no metadata\"}\n";
  auto r = parse_prompts_jsonl(text, "p.jsonl");
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].id, "qa-001");
  EXPECT_EQ((*r)[0].category, "qa");
  EXPECT_EQ((*r)[0].length, "short");
  EXPECT_EQ((*r)[1].id, "7");
  EXPECT_EQ((*r)[1].overrides.max_tokens, 4);
  EXPECT_TRUE((*r)[2].id.empty());
  EXPECT_TRUE((*r)[2].category.empty());
}

TEST(PromptFileMetadata, IdOfAnyTypeIsStillAcceptedButCategoryMustBeAString) {
  // "id" was accepted with any type before it was kept: still so.
  auto ok = parse_prompts_jsonl("{\"prompt\": \"a\", \"id\": [1, 2]}\n", "p.jsonl");
  ASSERT_TRUE(ok.is_ok()) << ok.status().to_string();
  EXPECT_TRUE((*ok)[0].id.empty());
  expect_error(
      parse_prompts_jsonl("{\"prompt\": \"a\"}\n{\"prompt\": \"b\", \"category\": 3}\n", "p.jsonl"),
      "p.jsonl:2: field 'category' must be a string", "category 3");
  expect_error(parse_prompts_jsonl("{\"prompt\": \"a\", \"length\": null}\n", "p.jsonl"),
               "p.jsonl:1: field 'length' must be a string", "length null");
  // Other unknown keys are still rejected.
  expect_error(parse_prompts_jsonl("{\"prompt\": \"a\", \"turns\": []}\n", "p.jsonl"),
               "field 'turns' is not a known prompt field", "turns");
}

// ---- The built-in set. ----

TEST(BuiltinPrompts, HasOneHundredTwentyPromptsInFiveCategoriesAndThreeLengths) {
  auto set = builtin_prompt_set();
  ASSERT_TRUE(set.is_ok()) << set.status().to_string();
  EXPECT_EQ(set->format, PromptSetFormat::kGreenrouteJsonl);
  EXPECT_EQ(set->skipped, 0u);
  ASSERT_EQ(set->prompts.size(), 120u);
  std::map<std::string, int> per_category;
  std::map<std::string, int> per_length;
  std::map<std::pair<std::string, std::string>, int> per_cell;
  std::set<std::string> ids;
  for (const PromptSpec& p : set->prompts) {
    EXPECT_FALSE(p.prompt.empty()) << p.id;
    EXPECT_TRUE(p.messages.empty()) << p.id;
    EXPECT_TRUE(ids.insert(p.id).second) << "duplicate id " << p.id;
    ++per_category[p.category];
    ++per_length[p.length];
    ++per_cell[{p.category, p.length}];
  }
  const std::map<std::string, int> want_categories = {
      {"qa", 24}, {"summarisation", 24}, {"code", 24}, {"reasoning", 24}, {"creative", 24}};
  EXPECT_EQ(per_category, want_categories);
  const std::map<std::string, int> want_lengths = {{"short", 40}, {"medium", 40}, {"long", 40}};
  EXPECT_EQ(per_length, want_lengths);
  for (const auto& [cell, n] : per_cell) EXPECT_EQ(n, 8) << cell.first << "/" << cell.second;
}

// Whitespace-separated words, as scripts/check_bench_prompts.py counts them.
std::size_t word_count(const std::string& s) {
  std::istringstream in(s);
  std::size_t n = 0;
  for (std::string w; in >> w;) ++n;
  return n;
}

TEST(BuiltinPrompts, LengthClassesMatchTheirWordCounts) {
  auto set = builtin_prompt_set();
  ASSERT_TRUE(set.is_ok()) << set.status().to_string();
  for (const PromptSpec& p : set->prompts) {
    const std::size_t n = word_count(p.prompt);
    if (p.length == "short") {
      EXPECT_LT(n, 30u) << p.id;
    } else if (p.length == "medium") {
      EXPECT_GE(n, 60u) << p.id;
      EXPECT_LE(n, 150u) << p.id;
    } else {
      EXPECT_EQ(p.length, "long") << p.id;
      EXPECT_GE(n, 250u) << p.id;
      EXPECT_LE(n, 500u) << p.id;
    }
  }
}

TEST(BuiltinPrompts, EmbeddedBytesEqualTheDataFile) {
  const fs::path path = fs::path(GREENROUTE_SOURCE_DIR) / "data" / "bench_prompts.jsonl";
  std::ifstream f(path, std::ios::binary);
  ASSERT_TRUE(f) << "cannot read " << path;
  std::ostringstream ss;
  ss << f.rdbuf();
  EXPECT_EQ(embedded::bench_prompts_jsonl(), ss.str());
}

TEST(BuiltinPrompts, KeepsNonAsciiTextIntact) {
  auto set = builtin_prompt_set();
  ASSERT_TRUE(set.is_ok()) << set.status().to_string();
  bool cjk = false, emoji = false, accent = false;
  for (const PromptSpec& p : set->prompts) {
    cjk |= p.prompt.find("\xE5\x86\x99\xE4\xB8\x80\xE9\xA6\x96") != std::string::npos;  // 写一首
    emoji |= p.prompt.find("\xE2\x9B\xB5") != std::string::npos;                        // ⛵
    accent |= p.prompt.find("R\xC3\xA9sume") != std::string::npos;                      // Résume
  }
  EXPECT_TRUE(cjk);
  EXPECT_TRUE(emoji);
  EXPECT_TRUE(accent);
}

// ---- Format detection and the greenroute format. ----

TEST(PromptSetDetection, GreenrouteJsonlKeepsOverridesAndMetadata) {
  const std::string text =
      "# comment\n"
      "{\"id\": \"a\", \"category\": \"qa\", \"prompt\": \"Hi\", \"max_tokens\": 3}\n"
      "{\"messages\": [{\"role\": \"user\", \"content\": \"Yo\"}]}\n";
  auto set = parse_prompt_set(text, "g.jsonl");
  ASSERT_TRUE(set.is_ok()) << set.status().to_string();
  EXPECT_EQ(set->format, PromptSetFormat::kGreenrouteJsonl);
  ASSERT_EQ(set->prompts.size(), 2u);
  EXPECT_EQ(set->prompts[0].id, "a");
  EXPECT_EQ(set->prompts[0].line, 2);
  EXPECT_EQ(set->prompts[0].overrides.max_tokens, 3);
  EXPECT_EQ(set->prompts[1].messages.at(0).content, "Yo");
  EXPECT_STREQ(prompt_set_format_name(set->format), "greenroute JSONL");
}

TEST(PromptSetDetection, ByteOrderMarkIsIgnored) {
  auto jsonl = parse_prompt_set("\xEF\xBB\xBF{\"prompt\": \"x\"}\n", "bom.jsonl");
  ASSERT_TRUE(jsonl.is_ok()) << jsonl.status().to_string();
  EXPECT_EQ(jsonl->prompts.at(0).prompt, "x");
  auto array = parse_prompt_set(
      "\xEF\xBB\xBF [{\"id\": \"s\", \"conversations\": [{\"from\": \"human\", \"value\": "
      "\"q\"}]}]",
      "bom.json");
  ASSERT_TRUE(array.is_ok()) << array.status().to_string();
  EXPECT_EQ(array->format, PromptSetFormat::kShareGptJson);
}

TEST(PromptSetDetection, UnrecognisedOrEmptyInputsSayWhatIsExpected) {
  expect_error(parse_prompt_set("", "e.jsonl"), "e.jsonl: contains no prompts", "empty");
  expect_error(parse_prompt_set(" \n\t\r\n", "e.jsonl"), "e.jsonl: contains no prompts", "blank");
  expect_error(parse_prompt_set("# nothing\n\n", "e.jsonl"), "e.jsonl: contains no prompts",
               "comments");
  expect_error(
      parse_prompt_set("\n{\"question\": \"why?\"}\n", "u.jsonl"),
      "u.jsonl:2: unrecognised prompt record: expected 'prompt' or 'messages' (greenroute JSONL), "
      "'turns' (MT-bench) or 'conversations' (ShareGPT)",
      "unknown record");
  expect_error(parse_prompt_set("{\n  \"prompt\": \"pretty\"\n}\n", "pretty.json"),
               "pretty.json: is one JSON object spread over several lines", "pretty-printed");
  expect_error(parse_prompt_set("{not json\n", "bad.jsonl"), "bad.jsonl:1: not valid JSON",
               "bad first line");
  expect_error(parse_prompt_set("\"just a string\"\n", "s.jsonl"),
               "s.jsonl:1: expected a JSON object", "string record");
}

// ---- MT-bench. ----

TEST(MtBench, FirstTurnBecomesThePrompt) {
  const std::string text =
      "{\"question_id\": 81, \"category\": \"writing\", \"turns\": [\"Write a poem.\", "
      "\"Shorter.\"]}\n"
      "\n"
      "{\"question_id\": 101, \"category\": \"reasoning\", \"turns\": [\"Solve x.\"], "
      "\"reference\": [\"x=1\"]}\r\n";
  auto set = parse_prompt_set(text, "q.jsonl");
  ASSERT_TRUE(set.is_ok()) << set.status().to_string();
  EXPECT_EQ(set->format, PromptSetFormat::kMtBenchJsonl);
  EXPECT_STREQ(prompt_set_format_name(set->format), "MT-bench JSONL");
  ASSERT_EQ(set->prompts.size(), 2u);
  EXPECT_EQ(set->prompts[0].prompt, "Write a poem.");
  EXPECT_EQ(set->prompts[0].id, "81");
  EXPECT_EQ(set->prompts[0].category, "writing");
  EXPECT_EQ(set->prompts[0].line, 1);
  EXPECT_EQ(set->prompts[1].prompt, "Solve x.");
  EXPECT_EQ(set->prompts[1].id, "101");
  EXPECT_EQ(set->prompts[1].line, 3);
  EXPECT_TRUE(set->prompts[1].messages.empty());
}

TEST(MtBench, BadQuestionsNameTheLineAndId) {
  const std::string ok = "{\"question_id\": 1, \"turns\": [\"a\"]}\n";
  const BadInputs cases = {
      {ok + "{\"question_id\": 2, \"turns\": []}\n",
       "m.jsonl:2 (id 2): field 'turns' must be a non-empty list"},
      {ok + "{\"question_id\": 3, \"turns\": \"a\"}\n",
       "m.jsonl:2 (id 3): field 'turns' must be a non-empty list"},
      {ok + "{\"question_id\": 4, \"turns\": [\"a\", 5]}\n",
       "m.jsonl:2 (id 4): field 'turns' entry 1 must be"},
      {ok + "{\"question_id\": 5, \"turns\": [\"\"]}\n",
       "m.jsonl:2 (id 5): the first turn must not be empty"},
      {ok + "{\"question_id\": 6, \"turns\": [\"a\"], \"category\": 1}\n",
       "m.jsonl:2 (id 6): field 'category' must be a string"},
      {ok + "{\"question_id\": 1.5, \"turns\": [\"a\"]}\n",
       "m.jsonl:2: field 'question_id' must be a string or an integer"},
      {ok + "{\"question_id\": 7, \"prompt\": \"a\"}\n",
       "m.jsonl:2 (id 7): expected an MT-bench question with field 'turns'"},
      {ok + "# c\n[1]\n", "m.jsonl:3: expected an MT-bench question with field 'turns'"},
      {ok + "\n{\"turns\": [\"a\"]\n", "m.jsonl:3: not valid JSON"},
  };
  for (const auto& [text, want] : cases)
    expect_error(parse_prompt_set(text, "m.jsonl"), want, text);
}

// ---- ShareGPT. ----

TEST(ShareGpt, FirstHumanTurnOfEachConversationBecomesThePrompt) {
  const std::string text = R"([
    {"id": "abc_1", "conversations": [
      {"from": "human", "value": "First question"},
      {"from": "gpt", "value": "An answer"},
      {"from": "human", "value": "Follow-up"}]},
    {"id": "abc_2", "conversations": [
      {"from": "system", "value": "Be nice."},
      {"from": "user", "value": "Bonjour, ça va ? 你好 🙂"}], "model": "x"},
    {"id": "abc_3", "conversations": []},
    {"id": "abc_4", "conversations": [{"from": "gpt", "value": "only a reply"}]},
    {"id": "abc_5", "conversations": [{"from": "human", "value": ""}]},
    {"conversations": [{"from": "human", "value": "no id"}]}
  ])";
  auto set = parse_prompt_set(text, "sg.json");
  ASSERT_TRUE(set.is_ok()) << set.status().to_string();
  EXPECT_EQ(set->format, PromptSetFormat::kShareGptJson);
  EXPECT_STREQ(prompt_set_format_name(set->format), "ShareGPT JSON");
  EXPECT_EQ(set->skipped, 3u);
  ASSERT_EQ(set->prompts.size(), 3u);
  EXPECT_EQ(set->prompts[0].prompt, "First question");
  EXPECT_EQ(set->prompts[0].id, "abc_1");
  EXPECT_EQ(set->prompts[0].line, 0);
  EXPECT_EQ(set->prompts[1].prompt,
            "Bonjour, \xC3\xA7"
            "a va ? \xE4\xBD\xA0\xE5\xA5\xBD \xF0\x9F\x99\x82");
  EXPECT_EQ(set->prompts[1].id, "abc_2");
  EXPECT_EQ(set->prompts[2].prompt, "no id");
  EXPECT_TRUE(set->prompts[2].id.empty());
}

TEST(ShareGpt, JsonlRecordsAreAcceptedToo) {
  const std::string text =
      "{\"id\": \"a\", \"conversations\": [{\"from\": \"human\", \"value\": \"one\"}]}\n"
      "{\"id\": \"b\", \"conversations\": [{\"from\": \"gpt\", \"value\": \"none\"}]}\n"
      "{\"id\": \"c\", \"conversations\": [{\"from\": \"human\", \"value\": \"three\"}]}\n";
  auto set = parse_prompt_set(text, "sg.jsonl");
  ASSERT_TRUE(set.is_ok()) << set.status().to_string();
  EXPECT_EQ(set->format, PromptSetFormat::kShareGptJsonl);
  EXPECT_EQ(set->skipped, 1u);
  ASSERT_EQ(set->prompts.size(), 2u);
  EXPECT_EQ(set->prompts[1].prompt, "three");
  EXPECT_EQ(set->prompts[1].line, 3);
  expect_error(parse_prompt_set(text + "{\"prompt\": \"x\"}\n", "sg.jsonl"),
               "sg.jsonl:4: expected a ShareGPT conversation with field 'conversations'", "mixed");
}

TEST(ShareGpt, BadEntriesNameTheIndexAndId) {
  const std::string good = R"({"id": "g", "conversations": [{"from": "human", "value": "q"}]})";
  const BadInputs cases = {
      {"[" + good + ", 42]", "sg.json: entry 1: expected an object like"},
      {"[" + good + R"(, {"id": "x"}])",
       "sg.json: entry 1 (id \"x\"): missing field 'conversations'"},
      {"[" + good + R"(, {"id": "y", "conversations": {}}])",
       "sg.json: entry 1 (id \"y\"): field 'conversations' must be a list"},
      {"[" + good + R"(, {"id": 9, "conversations": [{"from": "human"}]}])",
       "sg.json: entry 1 (id 9): conversations[0] must be {\"from\": string, \"value\": string}"},
      {"[" + good +
           R"(, {"id": "z", "conversations": [{"from": "gpt", "value": "a"}, {"from": 1, "value": "b"}]}])",
       "sg.json: entry 1 (id \"z\"): conversations[1] must be"},
      {R"([{"id": true, "conversations": [{"from": "human", "value": "q"}]}])",
       "sg.json: entry 0: field 'id' must be a string or an integer"},
      {"[" + good + ",\n  {\"id\": ]",
       "sg.json: not valid JSON (a file starting with '[' is read as a ShareGPT "
       "JSON array): parse error at line 2"},
      {"[1, 2]\n[3]\n", "sg.json: not valid JSON"},
      {"[]", "sg.json: contains no prompts"},
      {R"([{"id": "q", "conversations": []}])",
       "sg.json: contains no prompts (1 conversation(s) had no"},
  };
  for (const auto& [text, want] : cases)
    expect_error(parse_prompt_set(text, "sg.json"), want, text);
}

// ---- Files. ----

TEST(PromptSetFile, ReadsAFileAndNamesItInErrors) {
  const fs::path dir =
      fs::temp_directory_path() / ("greenroute_bench_prompts_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path good = dir / "mt.jsonl";
  std::ofstream(good) << "{\"question_id\": 1, \"category\": \"math\", \"turns\": [\"2+2?\"]}\n";
  auto set = read_prompt_set(good.string());
  ASSERT_TRUE(set.is_ok()) << set.status().to_string();
  EXPECT_EQ(set->format, PromptSetFormat::kMtBenchJsonl);
  EXPECT_EQ(set->prompts.at(0).prompt, "2+2?");

  const fs::path bad = dir / "bad.json";
  std::ofstream(bad) << "[{\"conversations\": 3}]";
  auto r = read_prompt_set(bad.string());
  expect_error(r, bad.string() + ": entry 0: field 'conversations' must be a list", "bad file");

  auto missing = read_prompt_set((dir / "missing.jsonl").string());
  ASSERT_FALSE(missing.is_ok());
  EXPECT_EQ(missing.status().code(), core::StatusCode::kIoError);
  EXPECT_NE(missing.status().message().find("missing.jsonl"), std::string::npos);
  fs::remove_all(dir);
}

// ---- The real public files in ../shared/data (PROVENANCE.md section 4). ----

const fs::path kSharedPrompts = fs::path(GREENROUTE_SHARED_DATA_DIR) / "prompts";

TEST(RealPromptFiles, MtBenchQuestions) {
  const fs::path path = kSharedPrompts / "mt_bench_question.jsonl";
  if (!fs::exists(path)) GTEST_SKIP() << "shared data absent: " << path;
  auto set = read_prompt_set(path.string());
  ASSERT_TRUE(set.is_ok()) << set.status().to_string();
  EXPECT_EQ(set->format, PromptSetFormat::kMtBenchJsonl);
  // PROVENANCE.md: 80 questions, ids 81-160, 10 in each of 8 categories.
  ASSERT_EQ(set->prompts.size(), 80u);
  std::map<std::string, int> per_category;
  for (const PromptSpec& p : set->prompts) ++per_category[p.category];
  EXPECT_EQ(per_category.size(), 8u);
  for (const auto& [category, n] : per_category) EXPECT_EQ(n, 10) << category;
  EXPECT_EQ(set->prompts.front().id, "81");
  EXPECT_EQ(set->prompts.back().id, "160");
  EXPECT_EQ(set->prompts.front().prompt.rfind("Compose an engaging travel blog post", 0), 0u);
}

TEST(RealPromptFiles, ShareGptFiltered1000) {
  const fs::path path = kSharedPrompts / "ShareGPT_V3_filtered_1000.json";
  if (!fs::exists(path)) GTEST_SKIP() << "shared data absent: " << path;
  auto set = read_prompt_set(path.string());
  ASSERT_TRUE(set.is_ok()) << set.status().to_string();
  EXPECT_EQ(set->format, PromptSetFormat::kShareGptJson);
  // PROVENANCE.md: 1,000 prompts with unique ids, 8 to 3,617 characters.
  ASSERT_EQ(set->prompts.size(), 1000u);
  EXPECT_EQ(set->skipped, 0u);
  std::set<std::string> ids;
  std::size_t shortest = SIZE_MAX, longest = 0;
  for (const PromptSpec& p : set->prompts) {
    ids.insert(p.id);
    shortest = std::min(shortest, p.prompt.size());
    longest = std::max(longest, p.prompt.size());
  }
  EXPECT_EQ(ids.size(), 1000u);
  EXPECT_EQ(set->prompts.front().id, "wc1OQ5t_9");
  EXPECT_GE(shortest, 8u);
  EXPECT_GT(longest, 1000u);
}

}  // namespace
}  // namespace greenroute::cli
