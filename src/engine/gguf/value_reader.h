// Decoding of GGUF metadata strings and values from an untrusted buffer.
//
// Lengths and array counts are checked against the bytes that remain before
// anything is allocated, so a hostile count cannot cause a huge allocation;
// element types are validated and nested arrays are refused.
//
// Thread contract: stateless functions.
#pragma once

#include <string_view>

#include "greenroute/core/status.h"
#include "greenroute/engine/gguf/gguf_file.h"
#include "gguf/byte_cursor.h"

namespace greenroute::engine::gguf {

// Reads a u64-length-prefixed string. `what` describes it for messages
// (e.g. "metadata entry #3 key"). The view points into the cursor's buffer.
core::Status read_string(ByteCursor& cur, std::string_view what, std::string_view& out);

// Reads a value of `type` (already validated as a known id) for `key`.
core::Status read_value(ByteCursor& cur, ValueType type, std::string_view key, Value& out);

}  // namespace greenroute::engine::gguf
