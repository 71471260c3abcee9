target_sources(greenroute_engine PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/ops.cc
  ${CMAKE_CURRENT_LIST_DIR}/context.cc
  ${CMAKE_CURRENT_LIST_DIR}/forward.cc
  ${CMAKE_CURRENT_LIST_DIR}/attention.cc)
