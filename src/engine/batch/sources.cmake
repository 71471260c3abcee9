target_sources(greenroute_engine PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/stop_text.cc
  ${CMAKE_CURRENT_LIST_DIR}/generator.cc
  ${CMAKE_CURRENT_LIST_DIR}/generator_run.cc)
