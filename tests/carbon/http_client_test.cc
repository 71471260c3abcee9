#include "carbon/http_client.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "carbon/api_parsing.h"
#include "carbon/http_test_server.h"

namespace greenroute::carbon::detail {
namespace {

using test_http::reply_json;
using test_http::TestServer;

TEST(ParseBaseUrl, SchemesPortsAndPrefixes) {
  auto a = parse_base_url("https://api.electricitymap.org");
  ASSERT_TRUE(a.is_ok());
  EXPECT_TRUE(a->https);
  EXPECT_EQ(a->host, "api.electricitymap.org");
  EXPECT_EQ(a->port, 443);
  EXPECT_EQ(a->path_prefix, "");

  auto b = parse_base_url("http://127.0.0.1:8080/proxy/em/");
  ASSERT_TRUE(b.is_ok());
  EXPECT_FALSE(b->https);
  EXPECT_EQ(b->host, "127.0.0.1");
  EXPECT_EQ(b->port, 8080);
  EXPECT_EQ(b->path_prefix, "/proxy/em");

  auto c = parse_base_url("http://[::1]:9000");
  ASSERT_TRUE(c.is_ok());
  EXPECT_EQ(c->host, "::1");
  EXPECT_EQ(c->port, 9000);
  EXPECT_EQ(parse_base_url("http://example.org")->port, 80);

  for (const char* bad : {"", "example.org", "ftp://example.org", "http://", "http://:80",
                          "http://h:", "http://h:0", "http://h:65536", "http://h:8x",
                          "http://u:p@h", "http://h/a?b=c", "http://h#frag", "http://[::1"}) {
    auto r = parse_base_url(bad);
    ASSERT_FALSE(r.is_ok()) << bad;
    EXPECT_EQ(r.status().code(), core::StatusCode::kInvalidArgument) << bad;
  }
  // User info is refused without repeating the credentials.
  EXPECT_EQ(parse_base_url("http://u:pw-secret@h").status().message().find("pw-secret"),
            std::string::npos);
}

TEST(UrlEncode, OnlyUnreservedCharactersPass) {
  EXPECT_EQ(url_encode("US-CAL-CISO_1.x~"), "US-CAL-CISO_1.x~");
  EXPECT_EQ(url_encode("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
}

TEST(PickPoint, StepsGapsAndEnds) {
  std::vector<SeriesPoint> pts = {{200, 2.0, false}, {100, 1.0, false}, {300, std::nullopt, false}};
  EXPECT_FALSE(pick_point(&pts, 99, 100).has_value());
  EXPECT_EQ(pts.front().at_unix_s, 100);  // sorted
  EXPECT_EQ(pick_point(&pts, 100, 100), 0u);
  EXPECT_EQ(pick_point(&pts, 199, 100), 0u);
  EXPECT_EQ(pick_point(&pts, 250, 100), 1u);
  EXPECT_EQ(pick_point(&pts, 399, 100), 2u);  // the last point covers its own step
  EXPECT_FALSE(pick_point(&pts, 400, 100).has_value());
  std::vector<SeriesPoint> none;
  EXPECT_FALSE(pick_point(&none, 0, 100).has_value());
}

TEST(ApiParsing, TimesAndTypes) {
  const nlohmann::json j = nlohmann::json::parse(
      R"({"a":"2024-05-01T12:00:00.000Z","b":"2024-05-01T12:00Z","c":"2024-05-01T14:00:00+02:00",
          "d":"1714564800","n":null,"s":"x","f":true,"arr":[1]})");
  EXPECT_EQ(*time_member(j, "a", ""), 1714564800);
  EXPECT_EQ(*time_member(j, "b", ""), 1714564800);
  EXPECT_EQ(*time_member(j, "c", ""), 1714564800);
  EXPECT_EQ(time_member(j, "d", "").status().code(),
            core::StatusCode::kCorrupt);  // unix seconds: not ISO
  EXPECT_FALSE(nullable_number_member(j, "n", "")->has_value());
  EXPECT_EQ(number_member(j, "n", "x[0]").status().message(),
            "field 'x[0].n' is null, expected a number");
  EXPECT_EQ(*bool_member_or(j, "missing", true, ""), true);
  EXPECT_EQ(*bool_member_or(j, "f", false, ""), true);
  EXPECT_FALSE(bool_member_or(j, "s", false, "").is_ok());
  EXPECT_FALSE(object_member(j, "arr", "").is_ok());
  EXPECT_EQ(format_utc_minute(1714564800 - 1800), "2024-05-01T11:30Z");
  EXPECT_EQ(format_utc(1714564800), "2024-05-01T12:00:00Z");
}

class HttpClientTest : public ::testing::Test {
 protected:
  HttpClient client() {
    auto base = parse_base_url(server_.url());
    EXPECT_TRUE(base.is_ok());
    return HttpClient("test-src", *base, HttpTimeouts{2000, 2000});
  }
  TestServer server_;
};

TEST_F(HttpClientTest, StatusCodesMapToStatus) {
  server_.route("/code/([0-9]+)", [](const httplib::Request& req, httplib::Response& res) {
    const int code = std::stoi(req.matches[1]);
    reply_json(res, code,
               code == 204 ? "" : R"({"error":"because )" + std::to_string(code) + "\"}");
  });
  server_.start();
  const HttpClient c = client();
  const std::pair<int, core::StatusCode> cases[] = {
      {400, core::StatusCode::kInvalidArgument},   {401, core::StatusCode::kInvalidArgument},
      {403, core::StatusCode::kInvalidArgument},   {404, core::StatusCode::kNotFound},
      {429, core::StatusCode::kResourceExhausted}, {418, core::StatusCode::kUnavailable},
      {500, core::StatusCode::kUnavailable},       {502, core::StatusCode::kUnavailable},
  };
  for (const auto& [code, want] : cases) {
    HttpRequest req;
    req.path = "/code/" + std::to_string(code);
    req.zone = "Z1";
    auto r = c.get_json(req);
    ASSERT_FALSE(r.is_ok()) << code;
    EXPECT_EQ(r.status().code(), want) << code;
    EXPECT_NE(r.status().message().find("test-src GET /code/" + std::to_string(code) +
                                        " (zone Z1): HTTP " + std::to_string(code)),
              std::string::npos)
        << r.status().message();
    EXPECT_NE(r.status().message().find("because " + std::to_string(code)), std::string::npos);
  }
}

TEST_F(HttpClientTest, QueryValuesAreEncodedAndEchoedSecretsBlanked) {
  server_.route("/echo", [](const httplib::Request& req, httplib::Response& res) {
    if (req.get_param_value("zone") == "A B&evil=1" && !req.has_param("evil")) {
      // Echo the token without its "Bearer " word, as a careless API might.
      const std::string auth = req.get_header_value("Authorization");
      reply_json(res, 403, R"({"message":"token )" + auth.substr(7) + " has no access\"}");
    } else {
      reply_json(res, 400, R"({"message":"query was mangled"})");
    }
  });
  server_.start();
  HttpRequest req;
  req.path = "/echo";
  req.query = {{"zone", "A B&evil=1"}};
  req.headers = {{"Authorization", "Bearer sekrit-token-42"}};
  auto r = client().get_json(req);
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("token *** has no access"), std::string::npos)
      << r.status().message();
  EXPECT_EQ(r.status().message().find("sekrit"), std::string::npos);
}

}  // namespace
}  // namespace greenroute::carbon::detail
