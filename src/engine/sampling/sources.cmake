target_sources(greenroute_engine PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/sampler.cc
  ${CMAKE_CURRENT_LIST_DIR}/logprobs.cc)
