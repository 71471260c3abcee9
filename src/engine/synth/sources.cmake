target_sources(greenroute_engine PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/presets.cc
  ${CMAKE_CURRENT_LIST_DIR}/corpus.cc
  ${CMAKE_CURRENT_LIST_DIR}/bpe_trainer.cc
  ${CMAKE_CURRENT_LIST_DIR}/fillers.cc
  ${CMAKE_CURRENT_LIST_DIR}/vocab_spm.cc
  ${CMAKE_CURRENT_LIST_DIR}/vocab_gpt2.cc
  ${CMAKE_CURRENT_LIST_DIR}/chat_templates.cc
  ${CMAKE_CURRENT_LIST_DIR}/weights.cc
  ${CMAKE_CURRENT_LIST_DIR}/synth_writer.cc)
