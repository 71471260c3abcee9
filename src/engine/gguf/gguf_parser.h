// GgufParser: decodes and validates the bytes of a GGUF v2/v3 file into a
// GgufFile (metadata, tensor infos, alignment, data section offset).
//
// Nothing is trusted: every count, length, type id, shape and offset is
// checked with overflow-safe arithmetic against the bytes actually present
// before it is used or allocated for. Errors are kCorrupt/kUnsupported and
// name the key or tensor involved.
//
// Thread contract: stateless; parse() may run concurrently on distinct files.
#pragma once

#include <cstdint>
#include <span>

#include "greenroute/core/status.h"
#include "greenroute/engine/gguf/gguf_file.h"

namespace greenroute::engine::gguf {

class GgufParser {
 public:
  // Fills `file` from `bytes`, which must stay alive as long as `file`.
  static core::Status parse(std::span<const std::uint8_t> bytes, GgufFile& file);
};

}  // namespace greenroute::engine::gguf
