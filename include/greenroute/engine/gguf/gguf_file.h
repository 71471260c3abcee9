// GGUF files: a validating, memory-mapped reader and a writer.
//
// Format (v2 and v3, little-endian), as documented in ggml's gguf.h:
//   magic "GGUF" | u32 version | u64 n_tensors | u64 n_kv
//   n_kv x (string key | u32 value type | value)
//   n_tensors x (string name | u32 n_dims | n_dims x u64 ne | u32 type | u64 offset)
//   padding to `general.alignment` (default 32) | tensor data
// A string is u64 length + bytes (no terminator); an array is u32 element
// type + u64 count + elements.
//
// The reader validates everything before it hands out a pointer: counts,
// lengths, types, shapes, offsets, alignment, and that each tensor lies inside
// the file, with overflow-checked arithmetic. Any problem is a kCorrupt (or
// kUnsupported) Status that names the key or tensor, never a crash.
//
// Thread contract: a GgufFile is immutable after open() and thread-safe to
// read. GgufWriter is single-owner.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "greenroute/core/status.h"
#include "greenroute/engine/quant/ggml_type.h"

namespace greenroute::engine::gguf {

enum class ValueType : std::uint32_t {
  kUint8 = 0, kInt8 = 1, kUint16 = 2, kInt16 = 3, kUint32 = 4, kInt32 = 5,
  kFloat32 = 6, kBool = 7, kString = 8, kArray = 9, kUint64 = 10, kInt64 = 11, kFloat64 = 12,
};

std::string_view value_type_name(ValueType type);

// An array value: its element type and the decoded elements. Integers of any
// width are held as int64/uint64, floats as double, so readers need not care
// about the width a converter chose.
struct ArrayValue {
  ValueType element_type = ValueType::kUint8;
  std::vector<std::int64_t> ints;     // for signed integer and bool elements
  std::vector<std::uint64_t> uints;   // for unsigned integer elements
  std::vector<double> floats;         // for float elements
  std::vector<std::string> strings;   // for string elements
  std::size_t size() const;
};

struct Value {
  ValueType type = ValueType::kUint8;
  std::variant<std::uint64_t, std::int64_t, double, bool, std::string, ArrayValue> data;
};

struct KeyValue {
  std::string key;
  Value value;
};

struct TensorInfo {
  std::string name;
  quant::GgmlType type = quant::GgmlType::kF32;
  std::vector<std::uint64_t> shape;  // ggml order: shape[0] is the row length
  std::uint64_t offset = 0;          // from the start of the data section
  std::uint64_t n_elements = 0;
  std::uint64_t n_bytes = 0;
};

class GgufFile {
 public:
  // Maps and validates a file.
  static core::Result<std::unique_ptr<GgufFile>> open(const std::string& path);
  // Validates a buffer the caller keeps alive for the file's lifetime (fuzzing, tests).
  static core::Result<std::unique_ptr<GgufFile>> from_memory(std::span<const std::uint8_t> bytes);

  ~GgufFile();
  GgufFile(const GgufFile&) = delete;
  GgufFile& operator=(const GgufFile&) = delete;

  std::uint32_t version() const { return version_; }
  std::uint64_t alignment() const { return alignment_; }
  std::uint64_t file_size() const { return size_; }
  std::uint64_t data_offset() const { return data_offset_; }
  const std::string& path() const { return path_; }

  const std::vector<KeyValue>& metadata() const { return kv_; }
  const Value* find(std::string_view key) const;

  // Typed getters. Integer getters accept any integer type whose value fits;
  // a missing key is kNotFound, a wrong type or out-of-range value kCorrupt.
  core::Result<std::string> get_string(std::string_view key) const;
  core::Result<std::uint64_t> get_uint(std::string_view key) const;
  core::Result<std::int64_t> get_int(std::string_view key) const;
  core::Result<double> get_float(std::string_view key) const;  // any numeric type
  core::Result<bool> get_bool(std::string_view key) const;
  core::Result<const ArrayValue*> get_array(std::string_view key) const;

  const std::vector<TensorInfo>& tensors() const { return tensors_; }
  const TensorInfo* find_tensor(std::string_view name) const;
  // Start of a tensor's bytes (valid: the reader checked they lie in the file).
  const std::uint8_t* tensor_data(const TensorInfo& t) const { return base_ + data_offset_ + t.offset; }

 private:
  GgufFile() = default;
  friend class GgufParser;

  std::string path_;
  std::uint32_t version_ = 0;
  std::uint64_t alignment_ = 32;
  std::uint64_t size_ = 0;
  std::uint64_t data_offset_ = 0;
  const std::uint8_t* base_ = nullptr;
  void* mapping_ = nullptr;  // non-null when this object owns an mmap of size_ bytes
  std::vector<KeyValue> kv_;
  std::vector<TensorInfo> tensors_;
};

// Writes GGUF v3 files. Keys and tensors are written in the order added.
class GgufWriter {
 public:
  void set_uint32(std::string key, std::uint32_t v);
  void set_int32(std::string key, std::int32_t v);
  void set_uint64(std::string key, std::uint64_t v);
  void set_float32(std::string key, float v);
  void set_bool(std::string key, bool v);
  void set_string(std::string key, std::string v);
  void set_string_array(std::string key, std::vector<std::string> v);
  void set_float32_array(std::string key, std::vector<float> v);
  void set_int32_array(std::string key, std::vector<std::int32_t> v);
  // Replaces an earlier value of the same key.
  void set(std::string key, Value v);

  // shape in ggml order (shape[0] = row length); data must hold exactly the
  // tensor's bytes for `type`.
  core::Status add_tensor(std::string name, quant::GgmlType type, std::vector<std::uint64_t> shape,
                          std::vector<std::uint8_t> data);

  void set_alignment(std::uint32_t alignment);

  // Writes to a temporary file beside `path` and renames it into place, so a
  // failed write never leaves a half-written model behind.
  core::Status write(const std::string& path) const;
  // The bytes write() would produce (tests, fuzz seeds).
  std::vector<std::uint8_t> serialize() const;

 private:
  struct PendingTensor {
    std::string name;
    quant::GgmlType type;
    std::vector<std::uint64_t> shape;
    std::vector<std::uint8_t> data;
  };
  std::vector<KeyValue> kv_;
  std::vector<PendingTensor> tensors_;
  std::uint32_t alignment_ = 32;
};

}  // namespace greenroute::engine::gguf
