// ByteCursor: a bounds-checked little-endian reader over an untrusted buffer.
//
// Every read checks the remaining length first and reports failure instead of
// reading past the end, so a truncated or hostile file can never make the
// parser touch memory outside the buffer. Multi-byte integers are assembled
// from bytes, which makes decoding independent of the host's byte order.
//
// Thread contract: single-owner (holds a read position).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace greenroute::engine::gguf {

class ByteCursor {
 public:
  explicit ByteCursor(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}

  std::uint64_t position() const { return pos_; }
  std::uint64_t remaining() const { return bytes_.size() - pos_; }
  std::uint64_t size() const { return bytes_.size(); }

  bool read_u8(std::uint8_t& out) { return read_le(out); }
  bool read_u16(std::uint16_t& out) { return read_le(out); }
  bool read_u32(std::uint32_t& out) { return read_le(out); }
  bool read_u64(std::uint64_t& out) { return read_le(out); }

  // A view of the next n bytes; fails (consuming nothing) if fewer remain.
  bool read_bytes(std::uint64_t n, std::string_view& out) {
    if (n > remaining()) return false;
    out = std::string_view(reinterpret_cast<const char*>(bytes_.data() + pos_), static_cast<std::size_t>(n));
    pos_ += n;
    return true;
  }

 private:
  template <typename T>
  bool read_le(T& out) {
    if (sizeof(T) > remaining()) return false;
    T v = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i) {
      v = static_cast<T>(v | static_cast<T>(static_cast<T>(bytes_[pos_ + i]) << (8 * i)));
    }
    pos_ += sizeof(T);
    out = v;
    return true;
  }

  std::span<const std::uint8_t> bytes_;
  std::uint64_t pos_ = 0;
};

}  // namespace greenroute::engine::gguf
