#include "gguf/gguf_parser.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <unordered_map>

#include "gguf/byte_cursor.h"
#include "gguf/gguf_format.h"
#include "gguf/value_reader.h"

namespace greenroute::engine::gguf {

namespace {

constexpr std::uint32_t byte_swap32(std::uint32_t v) {
  return (v >> 24) | ((v >> 8) & 0xff00u) | ((v << 8) & 0xff0000u) | (v << 24);
}

core::Status check_version(std::uint32_t version) {
  if (version == 2 || version == 3) return core::Status::ok();
  if (version == 1) {
    return core::unsupported("GGUF version 1 is not supported (only versions 2 and 3); re-convert the model");
  }
  if (byte_swap32(version) == 2 || byte_swap32(version) == 3) {
    return core::unsupported("big-endian GGUF (version " + std::to_string(byte_swap32(version)) +
                             " byte-swapped) is not supported");
  }
  if (version == 0) return core::corrupt("GGUF version 0 is invalid");
  return core::unsupported("unknown GGUF version " + std::to_string(version) + " (supported: 2, 3)");
}

core::Status truncated_header(const ByteCursor& cur, std::string_view what) {
  return core::corrupt("file ends inside the header's " + std::string(what) + " (file size " +
                       std::to_string(cur.size()) + ")");
}

// The parse state of one file; the views into the buffer stay valid because
// the buffer outlives the GgufFile.
class Parser {
 public:
  // The references are GgufFile's private fields, handed over by GgufParser
  // (the only friend of GgufFile).
  Parser(std::span<const std::uint8_t> bytes, std::uint32_t& version, std::uint64_t& alignment,
         std::uint64_t& data_offset, std::vector<KeyValue>& kv, std::vector<TensorInfo>& tensors)
      : cur_(bytes), version_(version), alignment_(alignment), data_offset_(data_offset), kv_(kv),
        tensors_(tensors) {}

  core::Status run() {
    GR_RETURN_IF_ERROR(parse_header());
    GR_RETURN_IF_ERROR(parse_metadata());
    GR_RETURN_IF_ERROR(parse_alignment());
    GR_RETURN_IF_ERROR(parse_tensor_infos());
    return place_tensors();
  }

 private:
  core::Status parse_header() {
    std::uint32_t magic = 0;
    if (!cur_.read_u32(magic)) {
      return core::corrupt("file too small to be GGUF (" + std::to_string(cur_.size()) + " bytes)");
    }
    if (magic != format::kMagic) {
      std::string shown(4, '\0');
      for (int i = 0; i < 4; ++i) shown[static_cast<std::size_t>(i)] = static_cast<char>((magic >> (8 * i)) & 0xff);
      return core::corrupt("bad magic " + format::quote(shown) + ", expected 'GGUF'");
    }
    if (!cur_.read_u32(version_)) return truncated_header(cur_, "version");
    GR_RETURN_IF_ERROR(check_version(version_));
    if (!cur_.read_u64(n_tensors_)) return truncated_header(cur_, "tensor count");
    if (!cur_.read_u64(n_kv_)) return truncated_header(cur_, "metadata count");
    // Reject counts that could not possibly fit before allocating anything.
    const std::uint64_t rem = cur_.remaining();
    if (n_kv_ > rem / format::kMinKvBytes) {
      return core::corrupt("metadata count n_kv " + std::to_string(n_kv_) + " cannot fit in the " +
                           std::to_string(rem) + " bytes after the header");
    }
    if (n_tensors_ > rem / format::kMinTensorInfoBytes ||
        n_kv_ * format::kMinKvBytes + n_tensors_ * format::kMinTensorInfoBytes > rem) {
      return core::corrupt("tensor count n_tensors " + std::to_string(n_tensors_) + " (with n_kv " +
                           std::to_string(n_kv_) + ") cannot fit in the " + std::to_string(rem) +
                           " bytes after the header");
    }
    return core::Status::ok();
  }

  core::Status parse_metadata() {
    // Reserve only a little up front; real growth is paid for by parsed bytes.
    kv_.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(n_kv_, 256)));
    std::unordered_map<std::string_view, std::uint64_t> seen;
    for (std::uint64_t i = 0; i < n_kv_; ++i) {
      std::string_view key;
      GR_RETURN_IF_ERROR(read_string(cur_, "metadata entry #" + std::to_string(i) + " key", key));
      if (auto it = seen.find(key); it != seen.end()) {
        return core::corrupt("key " + format::quote(key) + ": duplicate key (metadata entries #" +
                             std::to_string(it->second) + " and #" + std::to_string(i) + ")");
      }
      seen.emplace(key, i);
      std::uint32_t raw_type = 0;
      if (!cur_.read_u32(raw_type)) {
        return core::corrupt("key " + format::quote(key) + ": file ends inside its value type");
      }
      if (!format::is_known_value_type(raw_type)) {
        return core::corrupt("key " + format::quote(key) + ": unknown value type id " + std::to_string(raw_type));
      }
      KeyValue kv;
      kv.key = std::string(key);
      GR_RETURN_IF_ERROR(read_value(cur_, static_cast<ValueType>(raw_type), key, kv.value));
      kv_.push_back(std::move(kv));
    }
    return core::Status::ok();
  }

  core::Status parse_alignment() {
    alignment_ = format::kDefaultAlignment;
    for (const KeyValue& kv : kv_) {
      if (kv.key != format::kAlignmentKey) continue;
      if (kv.value.type != ValueType::kUint32) {
        return core::corrupt("key 'general.alignment': has type " + std::string(value_type_name(kv.value.type)) +
                             ", expected u32");
      }
      const std::uint64_t a = std::get<std::uint64_t>(kv.value.data);
      if (a == 0 || (a & (a - 1)) != 0) {
        return core::corrupt("key 'general.alignment': value " + std::to_string(a) +
                             " is not a non-zero power of two");
      }
      alignment_ = a;
    }
    return core::Status::ok();
  }

  core::Status parse_tensor_infos() {
    tensors_.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(n_tensors_, 1024)));
    std::unordered_map<std::string_view, std::uint64_t> seen;
    for (std::uint64_t i = 0; i < n_tensors_; ++i) {
      const std::string where = "tensor info #" + std::to_string(i);
      std::string_view name;
      GR_RETURN_IF_ERROR(read_string(cur_, where + " name", name));
      if (name.empty()) return core::corrupt(where + ": empty tensor name");
      if (name.size() > format::kMaxTensorNameLength) {
        return core::corrupt("tensor " + format::quote(name) + ": name is " + std::to_string(name.size()) +
                             " bytes, longer than the " + std::to_string(format::kMaxTensorNameLength) +
                             " allowed");
      }
      const std::string prefix = "tensor " + format::quote(name) + ": ";
      if (auto it = seen.find(name); it != seen.end()) {
        return core::corrupt(prefix + "duplicate tensor name (tensor infos #" + std::to_string(it->second) +
                             " and #" + std::to_string(i) + ")");
      }
      seen.emplace(name, i);
      std::uint32_t n_dims = 0;
      if (!cur_.read_u32(n_dims)) return core::corrupt(prefix + "file ends inside its n_dims");
      if (n_dims == 0 || n_dims > format::kMaxDims) {
        return core::corrupt(prefix + "n_dims " + std::to_string(n_dims) + " is outside 1.." +
                             std::to_string(format::kMaxDims));
      }
      TensorInfo info;
      info.name = std::string(name);
      info.shape.resize(n_dims);
      for (std::uint32_t d = 0; d < n_dims; ++d) {
        if (!cur_.read_u64(info.shape[d])) return core::corrupt(prefix + "file ends inside its dimensions");
      }
      std::uint32_t raw_type = 0;
      if (!cur_.read_u32(raw_type)) return core::corrupt(prefix + "file ends inside its type");
      const auto traits = quant::type_traits(raw_type);
      if (!traits) return core::corrupt(prefix + "unknown ggml type id " + std::to_string(raw_type));
      info.type = traits->type;
      if (!cur_.read_u64(info.offset)) return core::corrupt(prefix + "file ends inside its data offset");
      GR_ASSIGN_OR_RETURN(const format::TensorSize size, format::tensor_size(name, info.type, info.shape));
      info.n_elements = size.n_elements;
      info.n_bytes = size.n_bytes;
      tensors_.push_back(std::move(info));
    }
    return core::Status::ok();
  }

  // The data section starts at the header's end rounded up to the alignment;
  // every tensor must be aligned and lie wholly inside the file.
  core::Status place_tensors() {
    const std::uint64_t header_end = cur_.position();
    // header_end <= file size and alignment < 2^32, so this cannot overflow.
    data_offset_ = (header_end + alignment_ - 1) / alignment_ * alignment_;
    const std::uint64_t file_size = cur_.size();
    for (const TensorInfo& t : tensors_) {
      const std::string prefix = "tensor " + format::quote(t.name) + ": ";
      if (t.offset % alignment_ != 0) {
        return core::corrupt(prefix + "data offset " + std::to_string(t.offset) +
                             " is not a multiple of the alignment " + std::to_string(alignment_));
      }
      const auto start = format::checked_add(data_offset_, t.offset);
      const auto end = start ? format::checked_add(*start, t.n_bytes) : std::nullopt;
      if (!end || *end > file_size) {
        return core::corrupt(prefix + "data [offset " + std::to_string(t.offset) + ", " + std::to_string(t.n_bytes) +
                             " bytes] extends past end of file (size " + std::to_string(file_size) +
                             ", data section at " + std::to_string(data_offset_) + ")");
      }
    }
    return core::Status::ok();
  }

  ByteCursor cur_;
  std::uint32_t& version_;
  std::uint64_t& alignment_;
  std::uint64_t& data_offset_;
  std::vector<KeyValue>& kv_;
  std::vector<TensorInfo>& tensors_;
  std::uint64_t n_tensors_ = 0;
  std::uint64_t n_kv_ = 0;
};

}  // namespace

core::Status GgufParser::parse(std::span<const std::uint8_t> bytes, GgufFile& file) {
  file.base_ = bytes.data();
  file.size_ = bytes.size();
  Parser parser(bytes, file.version_, file.alignment_, file.data_offset_, file.kv_, file.tensors_);
  return parser.run();
}

}  // namespace greenroute::engine::gguf
