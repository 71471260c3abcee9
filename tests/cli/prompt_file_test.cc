#include "prompt_file.h"

#include <gtest/gtest.h>

namespace greenroute::cli {
namespace {

TEST(PromptFileTest, ParsesPromptsChatsAndOverrides) {
  const std::string text =
      "# a comment\n"
      "{\"prompt\": \"Hello\"}\n"
      "\n"
      "{\"messages\": [{\"role\": \"system\", \"content\": \"Be brief.\"}, {\"role\": \"user\", \"content\": \"Hi\"}],"
      " \"max_tokens\": 7, \"temperature\": 0, \"stop\": \"\\n\"}\r\n"
      "{\"prompt\": \"x\", \"top_k\": 5, \"top_p\": 0.5, \"min_p\": 0.1, \"seed\": 9, \"stop\": [\"a\", \"b\"], \"logprobs\": 3}\n";
  auto r = parse_prompts_jsonl(text, "p.jsonl");
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].prompt, "Hello");
  EXPECT_EQ((*r)[0].line, 2);
  ASSERT_EQ((*r)[1].messages.size(), 2u);
  EXPECT_EQ((*r)[1].messages[1].content, "Hi");
  EXPECT_EQ((*r)[1].overrides.max_tokens, 7);
  EXPECT_EQ((*r)[1].overrides.temperature, 0.0f);
  ASSERT_TRUE((*r)[1].overrides.stop.has_value());
  EXPECT_EQ((*r)[1].overrides.stop->at(0), "\n");
  EXPECT_EQ((*r)[2].overrides.top_k, 5);
  EXPECT_EQ((*r)[2].overrides.seed, 9u);
  EXPECT_EQ((*r)[2].overrides.logprobs, 3);
  EXPECT_EQ((*r)[2].overrides.stop->size(), 2u);
}

struct BadCase {
  const char* text;
  const char* expected;  // substring of the error
};

TEST(PromptFileTest, BadLinesNameTheLineAndField) {
  const BadCase cases[] = {
      {"{\"prompt\": \"ok\"}\n{not json\n", "p.jsonl:2: not valid JSON"},
      {"[1, 2]\n", "p.jsonl:1: expected a JSON object"},
      {"{\"prompt\": 3}\n", "field 'prompt' must be a string"},
      {"{\"prompt\": \"\"}\n", "field 'prompt' must not be empty"},
      {"{\"prompt\": \"a\", \"messages\": []}\n", "exactly one of 'prompt' or 'messages'"},
      {"{\"max_tokens\": 3}\n", "exactly one of 'prompt' or 'messages'"},
      {"{\"messages\": []}\n", "field 'messages' must be a non-empty list"},
      {"{\"messages\": [{\"role\": \"robot\", \"content\": \"x\"}]}\n", "role must be system, user or assistant"},
      {"{\"messages\": [{\"role\": \"user\"}]}\n", "entries must be"},
      {"{\"prompt\": \"a\", \"max_tokens\": -1}\n", "field 'max_tokens' must be between 0 and"},
      {"{\"prompt\": \"a\", \"max_tokens\": 1.5}\n", "field 'max_tokens' must be an integer"},
      {"{\"prompt\": \"a\", \"temperature\": \"hot\"}\n", "field 'temperature' must be a number"},
      {"{\"prompt\": \"a\", \"stop\": 4}\n", "field 'stop' must be a string or a list"},
      {"{\"prompt\": \"a\", \"stop\": [\"\"]}\n", "must not contain an empty string"},
      {"{\"prompt\": \"a\", \"logprobs\": 50}\n", "field 'logprobs' must be between 0 and 20"},
      {"{\"prompt\": \"a\", \"tempreature\": 1}\n", "field 'tempreature' is not a known prompt field"},
      {"\n# only comments\n", "contains no prompts"},
  };
  for (const auto& c : cases) {
    auto r = parse_prompts_jsonl(c.text, "p.jsonl");
    ASSERT_FALSE(r.is_ok()) << c.text;
    EXPECT_EQ(r.status().code(), core::StatusCode::kInvalidArgument) << c.text;
    EXPECT_NE(r.status().message().find(c.expected), std::string::npos)
        << "text: " << c.text << "\nmessage: " << r.status().message();
  }
}

TEST(PromptFileTest, MissingFileIsAnIoErrorNamingThePath) {
  auto r = read_prompts_file("/nonexistent/dir/prompts.jsonl");
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), core::StatusCode::kIoError);
  EXPECT_NE(r.status().message().find("/nonexistent/dir/prompts.jsonl"), std::string::npos);
}

}  // namespace
}  // namespace greenroute::cli
