target_sources(greenroute_engine PRIVATE ${CMAKE_CURRENT_LIST_DIR}/kv_cache.cc)
