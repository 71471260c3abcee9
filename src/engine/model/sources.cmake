target_sources(greenroute_engine PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/model_config.cc
  ${CMAKE_CURRENT_LIST_DIR}/model_weights.cc
  ${CMAKE_CURRENT_LIST_DIR}/memory_model.cc
  ${CMAKE_CURRENT_LIST_DIR}/model.cc)
