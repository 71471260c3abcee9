target_sources(greenroute_engine PRIVATE ${CMAKE_CURRENT_LIST_DIR}/ggml_type.cc)
