target_sources(greenroute_engine PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/gguf_file.cc
  ${CMAKE_CURRENT_LIST_DIR}/gguf_format.cc
  ${CMAKE_CURRENT_LIST_DIR}/gguf_parser.cc
  ${CMAKE_CURRENT_LIST_DIR}/gguf_value.cc
  ${CMAKE_CURRENT_LIST_DIR}/gguf_writer.cc
  ${CMAKE_CURRENT_LIST_DIR}/value_reader.cc
  ${CMAKE_CURRENT_LIST_DIR}/value_writer.cc)
