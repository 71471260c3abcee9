// Writer -> reader round trips: every value type, arrays, tensors, alignment,
// files on disk, the typed getters, and GGUF v2 acceptance.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <unistd.h>

#include "greenroute/engine/gguf/gguf_file.h"
#include "engine/gguf/gguf_test_util.h"

namespace greenroute::engine::gguf {
namespace {

using core::StatusCode;
using testing::Bytes;

Value scalar_u(ValueType t, std::uint64_t v) { return Value{t, v}; }
Value scalar_i(ValueType t, std::int64_t v) { return Value{t, v}; }

std::unique_ptr<GgufFile> parse_ok(const std::vector<std::uint8_t>& bytes) {
  auto r = GgufFile::from_memory(bytes);
  EXPECT_TRUE(r.is_ok()) << r.status().to_string();
  if (!r.is_ok()) return nullptr;
  return std::move(r).value();
}

TEST(GgufRoundTrip, EveryScalarType) {
  GgufWriter w;
  w.set("u8", scalar_u(ValueType::kUint8, 255));
  w.set("i8", scalar_i(ValueType::kInt8, -128));
  w.set("u16", scalar_u(ValueType::kUint16, 65535));
  w.set("i16", scalar_i(ValueType::kInt16, -32768));
  w.set_uint32("u32", 4000000000u);
  w.set_int32("i32", -2000000000);
  w.set_float32("f32", 0.15625f);
  w.set_bool("bool_t", true);
  w.set_bool("bool_f", false);
  w.set_string("str", std::string("h\0llo", 5));
  w.set_string("empty", "");
  w.set_uint64("u64", std::numeric_limits<std::uint64_t>::max());
  w.set("i64", scalar_i(ValueType::kInt64, std::numeric_limits<std::int64_t>::min()));
  w.set("f64", Value{ValueType::kFloat64, 3.141592653589793});
  const auto bytes = w.serialize();
  auto f = parse_ok(bytes);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->version(), 3u);
  EXPECT_EQ(f->metadata().size(), 14u);
  EXPECT_EQ(f->get_uint("u8").value(), 255u);
  EXPECT_EQ(f->get_int("i8").value(), -128);
  EXPECT_EQ(f->get_uint("u16").value(), 65535u);
  EXPECT_EQ(f->get_int("i16").value(), -32768);
  EXPECT_EQ(f->get_uint("u32").value(), 4000000000u);
  EXPECT_EQ(f->get_int("i32").value(), -2000000000);
  EXPECT_EQ(f->get_float("f32").value(), 0.15625);
  EXPECT_TRUE(f->get_bool("bool_t").value());
  EXPECT_FALSE(f->get_bool("bool_f").value());
  EXPECT_EQ(f->get_string("str").value(), std::string("h\0llo", 5));
  EXPECT_EQ(f->get_string("empty").value(), "");
  EXPECT_EQ(f->get_uint("u64").value(), std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(f->get_int("i64").value(), std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(f->get_float("f64").value(), 3.141592653589793);
  // Types survive as written, in order.
  const std::vector<ValueType> want = {ValueType::kUint8,  ValueType::kInt8,   ValueType::kUint16, ValueType::kInt16,
                                       ValueType::kUint32, ValueType::kInt32,  ValueType::kFloat32, ValueType::kBool,
                                       ValueType::kBool,   ValueType::kString, ValueType::kString, ValueType::kUint64,
                                       ValueType::kInt64,  ValueType::kFloat64};
  for (std::size_t i = 0; i < want.size(); ++i) EXPECT_EQ(f->metadata()[i].value.type, want[i]) << i;
  // Re-serialising what was read gives the same bytes.
  GgufWriter again;
  for (const KeyValue& kv : f->metadata()) again.set(kv.key, kv.value);
  EXPECT_EQ(again.serialize(), bytes);
}

TEST(GgufRoundTrip, ArraysOfEveryElementType) {
  GgufWriter w;
  auto arr = [&](std::string key, ValueType t, auto fill) {
    ArrayValue a;
    a.element_type = t;
    fill(a);
    w.set(std::move(key), Value{ValueType::kArray, std::move(a)});
  };
  arr("a.u8", ValueType::kUint8, [](ArrayValue& a) { a.uints = {0, 1, 255}; });
  arr("a.i8", ValueType::kInt8, [](ArrayValue& a) { a.ints = {-128, 0, 127}; });
  arr("a.u16", ValueType::kUint16, [](ArrayValue& a) { a.uints = {65535}; });
  arr("a.i16", ValueType::kInt16, [](ArrayValue& a) { a.ints = {-32768, 32767}; });
  arr("a.u32", ValueType::kUint32, [](ArrayValue& a) { a.uints = {4294967295u, 7}; });
  arr("a.u64", ValueType::kUint64, [](ArrayValue& a) { a.uints = {std::numeric_limits<std::uint64_t>::max()}; });
  arr("a.i64", ValueType::kInt64, [](ArrayValue& a) { a.ints = {std::numeric_limits<std::int64_t>::min(), 5}; });
  arr("a.f64", ValueType::kFloat64, [](ArrayValue& a) { a.floats = {1e300, -0.5}; });
  arr("a.bool", ValueType::kBool, [](ArrayValue& a) { a.ints = {1, 0, 1}; });
  arr("a.empty", ValueType::kUint32, [](ArrayValue&) {});
  w.set_string_array("a.str", {"", "x", std::string(300, 'y')});
  w.set_float32_array("a.f32", {1.0f, -2.5f, std::numeric_limits<float>::infinity()});
  w.set_int32_array("a.i32", {std::numeric_limits<std::int32_t>::min(), 0, 42});
  auto f = parse_ok(w.serialize());
  ASSERT_NE(f, nullptr);
  auto get = [&](std::string_view key) -> const ArrayValue& {
    auto r = f->get_array(key);
    EXPECT_TRUE(r.is_ok()) << key;
    static const ArrayValue kEmpty;
    return r.is_ok() ? *r.value() : kEmpty;
  };
  EXPECT_EQ(get("a.u8").uints, (std::vector<std::uint64_t>{0, 1, 255}));
  EXPECT_EQ(get("a.i8").ints, (std::vector<std::int64_t>{-128, 0, 127}));
  EXPECT_EQ(get("a.u16").uints, (std::vector<std::uint64_t>{65535}));
  EXPECT_EQ(get("a.i16").ints, (std::vector<std::int64_t>{-32768, 32767}));
  EXPECT_EQ(get("a.u32").uints, (std::vector<std::uint64_t>{4294967295u, 7}));
  EXPECT_EQ(get("a.u64").uints, (std::vector<std::uint64_t>{std::numeric_limits<std::uint64_t>::max()}));
  EXPECT_EQ(get("a.i64").ints, (std::vector<std::int64_t>{std::numeric_limits<std::int64_t>::min(), 5}));
  EXPECT_EQ(get("a.f64").floats, (std::vector<double>{1e300, -0.5}));
  EXPECT_EQ(get("a.bool").ints, (std::vector<std::int64_t>{1, 0, 1}));
  EXPECT_EQ(get("a.bool").element_type, ValueType::kBool);
  EXPECT_EQ(get("a.empty").size(), 0u);
  EXPECT_EQ(get("a.empty").element_type, ValueType::kUint32);
  EXPECT_EQ(get("a.str").strings, (std::vector<std::string>{"", "x", std::string(300, 'y')}));
  EXPECT_EQ(get("a.f32").floats, (std::vector<double>{1.0, -2.5, std::numeric_limits<double>::infinity()}));
  EXPECT_EQ(get("a.i32").ints, (std::vector<std::int64_t>{std::numeric_limits<std::int32_t>::min(), 0, 42}));
  EXPECT_EQ(get("a.i32").size(), 3u);
}

TEST(GgufRoundTrip, TensorsAndAlignment) {
  for (std::uint32_t alignment : {1u, 8u, 32u, 64u, 4096u}) {
    GgufWriter w;
    w.set_alignment(alignment);
    std::vector<std::uint8_t> a(4 * 3 * 2 * 5);
    for (std::size_t i = 0; i < a.size(); ++i) a[i] = static_cast<std::uint8_t>(i * 13);
    std::vector<std::uint8_t> b(2 * 144, 0xab);  // two q4_K blocks
    std::vector<std::uint8_t> c(2 * 7, 0x5a);    // f16, odd size
    ASSERT_TRUE(w.add_tensor("a", quant::GgmlType::kF32, {3, 2, 5}, a).is_ok());
    ASSERT_TRUE(w.add_tensor("b", quant::GgmlType::kQ4_K, {256, 2}, b).is_ok());
    ASSERT_TRUE(w.add_tensor("c", quant::GgmlType::kF16, {7, 1, 1, 1}, c).is_ok());
    auto bytes = w.serialize();
    auto f = parse_ok(bytes);
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(f->alignment(), alignment);
    EXPECT_EQ(f->data_offset() % alignment, 0u);
    ASSERT_EQ(f->tensors().size(), 3u);
    const std::vector<std::vector<std::uint8_t>> datas = {a, b, c};
    for (std::size_t i = 0; i < 3; ++i) {
      const TensorInfo& t = f->tensors()[i];
      EXPECT_EQ(t.offset % alignment, 0u);
      ASSERT_EQ(t.n_bytes, datas[i].size());
      EXPECT_EQ(std::memcmp(f->tensor_data(t), datas[i].data(), datas[i].size()), 0) << t.name;
    }
    const TensorInfo* b_info = f->find_tensor("b");
    ASSERT_NE(b_info, nullptr);
    EXPECT_EQ(b_info->type, quant::GgmlType::kQ4_K);
    EXPECT_EQ(b_info->shape, (std::vector<std::uint64_t>{256, 2}));
    EXPECT_EQ(b_info->n_elements, 512u);
    EXPECT_EQ(f->find_tensor("c")->shape.size(), 4u);
    EXPECT_EQ(f->find_tensor("missing"), nullptr);
    EXPECT_EQ(bytes.size() % alignment, 0u);
  }
}

TEST(GgufRoundTrip, WriteAndOpenFile) {
  const std::string path = ::testing::TempDir() + "gguf_roundtrip_" + std::to_string(::getpid()) + ".gguf";
  GgufWriter w;
  w.set_string("general.architecture", "llama");
  std::vector<std::uint8_t> data(64 * 4, 3);
  ASSERT_TRUE(w.add_tensor("t", quant::GgmlType::kF32, {64}, data).is_ok());
  ASSERT_TRUE(w.write(path).is_ok());
  auto r = GgufFile::open(path);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  const auto& f = *r.value();
  EXPECT_EQ(f.path(), path);
  EXPECT_EQ(f.file_size(), std::filesystem::file_size(path));
  EXPECT_EQ(f.get_string("general.architecture").value(), "llama");
  EXPECT_EQ(f.tensor_data(f.tensors()[0])[255], 3);
  EXPECT_EQ(f.file_size(), w.serialize().size());
  // No temporary files are left beside the output.
  for (const auto& e : std::filesystem::directory_iterator(std::filesystem::path(path).parent_path())) {
    EXPECT_EQ(e.path().string().find(path + ".tmp"), std::string::npos) << e.path();
  }
  std::filesystem::remove(path);
}

TEST(GgufRoundTrip, OpenErrorsNameThePath) {
  auto missing = GgufFile::open("/nonexistent/dir/model.gguf");
  ASSERT_FALSE(missing.is_ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("/nonexistent/dir/model.gguf"), std::string::npos);
  EXPECT_NE(missing.status().message().find("No such file"), std::string::npos);
  auto dir = GgufFile::open(::testing::TempDir());
  ASSERT_FALSE(dir.is_ok());
  EXPECT_EQ(dir.status().code(), StatusCode::kIoError);
  const std::string empty = ::testing::TempDir() + "gguf_empty_" + std::to_string(::getpid()) + ".gguf";
  std::fclose(std::fopen(empty.c_str(), "wb"));
  auto e = GgufFile::open(empty);
  ASSERT_FALSE(e.is_ok());
  EXPECT_EQ(e.status().code(), StatusCode::kCorrupt);
  EXPECT_NE(e.status().message().find(empty), std::string::npos);
  std::filesystem::remove(empty);
  GgufWriter w;
  EXPECT_EQ(w.write("/nonexistent/dir/out.gguf").code(), StatusCode::kIoError);
}

TEST(GgufRoundTrip, TypedGetterConversionsAndErrors) {
  GgufWriter w;
  w.set("neg", scalar_i(ValueType::kInt32, -1));
  w.set("pos_i", scalar_i(ValueType::kInt8, 7));
  w.set_uint64("huge", std::numeric_limits<std::uint64_t>::max());
  w.set_string("s", "x");
  w.set_bool("b", true);
  w.set_uint32("u", 9);
  auto f = parse_ok(w.serialize());
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->get_uint("pos_i").value(), 7u);
  EXPECT_EQ(f->get_int("u").value(), 9);
  EXPECT_EQ(f->get_float("neg").value(), -1.0);
  EXPECT_EQ(f->get_float("u").value(), 9.0);
  EXPECT_EQ(f->get_uint("neg").status().code(), StatusCode::kCorrupt);
  EXPECT_EQ(f->get_int("huge").status().code(), StatusCode::kCorrupt);
  EXPECT_NE(f->get_int("huge").status().message().find("'huge'"), std::string::npos);
  EXPECT_EQ(f->get_uint("s").status().code(), StatusCode::kCorrupt);
  EXPECT_EQ(f->get_string("u").status().code(), StatusCode::kCorrupt);
  EXPECT_EQ(f->get_bool("u").status().code(), StatusCode::kCorrupt);
  EXPECT_EQ(f->get_float("b").status().code(), StatusCode::kCorrupt);
  EXPECT_EQ(f->get_array("s").status().code(), StatusCode::kCorrupt);
  EXPECT_EQ(f->get_string("nope").status().code(), StatusCode::kNotFound);
  EXPECT_NE(f->get_string("nope").status().message().find("'nope'"), std::string::npos);
  EXPECT_EQ(f->find("nope"), nullptr);
  EXPECT_EQ(value_type_name(ValueType::kFloat32), "f32");
  EXPECT_EQ(value_type_name(ValueType::kArray), "arr");
}

TEST(GgufWriterTest, SetReplacesEarlierValues) {
  GgufWriter w;
  w.set_uint32("k", 1);
  w.set_string("other", "o");
  w.set_string("k", "two");
  auto f = parse_ok(w.serialize());
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(f->metadata().size(), 2u);
  EXPECT_EQ(f->metadata()[0].key, "k");
  EXPECT_EQ(f->get_string("k").value(), "two");
}

TEST(GgufWriterTest, RejectsBadTensorsAndValues) {
  GgufWriter w;
  EXPECT_EQ(w.add_tensor("", quant::GgmlType::kF32, {1}, {0, 0, 0, 0}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(w.add_tensor(std::string(64, 'n'), quant::GgmlType::kF32, {1}, {0, 0, 0, 0}).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(w.add_tensor("t", quant::GgmlType::kF32, {2}, {0, 0, 0, 0}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(w.add_tensor("t", quant::GgmlType::kQ8_0, {16}, std::vector<std::uint8_t>(17)).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(w.add_tensor("t", quant::GgmlType::kF32, {}, {}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(w.add_tensor("t", quant::GgmlType::kF32, {1, 1, 1, 1, 1}, {0, 0, 0, 0}).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(w.add_tensor("t", quant::GgmlType::kF32, {0}, {}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(w.add_tensor("t", static_cast<quant::GgmlType>(99), {1}, {0}).code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(w.add_tensor("t", quant::GgmlType::kF32, {1}, {0, 0, 0, 0}).is_ok());
  EXPECT_EQ(w.add_tensor("t", quant::GgmlType::kF32, {1}, {0, 0, 0, 0}).code(), StatusCode::kInvalidArgument);

  const std::string path = ::testing::TempDir() + "gguf_never_written.gguf";
  GgufWriter bad_width;
  bad_width.set("u8", scalar_u(ValueType::kUint8, 256));
  const auto st = bad_width.write(path);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("'u8'"), std::string::npos);
  GgufWriter bad_variant;
  bad_variant.set("x", Value{ValueType::kString, std::uint64_t{1}});
  EXPECT_EQ(bad_variant.write(path).code(), StatusCode::kInvalidArgument);
  GgufWriter bad_alignment;
  bad_alignment.set_alignment(48);
  EXPECT_EQ(bad_alignment.write(path).code(), StatusCode::kInvalidArgument);
  GgufWriter nested;
  ArrayValue a;
  a.element_type = ValueType::kArray;
  nested.set("n", Value{ValueType::kArray, a});
  EXPECT_EQ(nested.write(path).code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(std::filesystem::exists(path));
}

// v2 has the same layout as v3 (u64 counts and lengths); only v1 used u32.
TEST(GgufVersions, AcceptsV2) {
  Bytes b;
  b.header(2, 1, 2).kv_str("general.architecture", "llama").kv_u32("llama.block_count", 5);
  b.tensor("w", {8, 2}, 0, 0).data(8 * 2 * 4);
  auto f = parse_ok(b.get());
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->version(), 2u);
  EXPECT_EQ(f->get_uint("llama.block_count").value(), 5u);
  EXPECT_EQ(f->tensors()[0].n_bytes, 64u);
  EXPECT_EQ(f->tensor_data(f->tensors()[0])[0], 1);
}

TEST(GgufVersions, RejectsV1AndUnknownVersions) {
  // A v1 file: u32 counts and u32 string lengths.
  Bytes v1;
  v1.raw("GGUF").u32(1).u32(0).u32(1).u32(3).raw("key").u32(4).u32(7);
  auto r1 = GgufFile::from_memory(v1.get());
  ASSERT_FALSE(r1.is_ok());
  EXPECT_EQ(r1.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(r1.status().message().find("version 1"), std::string::npos);
  Bytes v4;
  v4.header(4, 0, 0);
  EXPECT_EQ(GgufFile::from_memory(v4.get()).status().code(), StatusCode::kUnsupported);
  Bytes big_endian;
  big_endian.raw("GGUF").u32(0x03000000u).u64(0).u64(0);
  auto be = GgufFile::from_memory(big_endian.get());
  EXPECT_EQ(be.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(be.status().message().find("big-endian"), std::string::npos);
}

}  // namespace
}  // namespace greenroute::engine::gguf
