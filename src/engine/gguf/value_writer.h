// Encoding side of GGUF: checks that writer-supplied metadata is well formed
// and emits a complete v3 file (header, metadata, tensor infos, aligned data)
// to a byte sink.
//
// Thread contract: stateless functions; a sink is single-owner.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "greenroute/core/status.h"
#include "greenroute/engine/gguf/gguf_file.h"

namespace greenroute::engine::gguf {

class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual void append(const void* data, std::size_t n) = 0;
};

// A tensor to emit; views into the writer's own storage.
struct TensorRecord {
  std::string_view name;
  quant::GgmlType type;
  std::span<const std::uint64_t> shape;
  std::span<const std::uint8_t> data;
};

// kInvalidArgument naming the key if a Value's variant does not match its
// type, an integer does not fit its width, an array is inconsistent, or
// general.alignment is not a u32 power of two equal to `alignment`.
core::Status validate_metadata(const std::vector<KeyValue>& kv, std::uint32_t alignment);

// Emits the whole file. Preconditions: validate_metadata() passed and the
// tensors were validated by GgufWriter::add_tensor().
void emit_gguf(ByteSink& sink, const std::vector<KeyValue>& kv, std::span<const TensorRecord> tensors,
               std::uint32_t alignment);

}  // namespace greenroute::engine::gguf
