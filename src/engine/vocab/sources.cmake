# Tokenizers (SentencePiece and byte-level BPE, as llama.cpp) and chat templates.
# ICU supplies the Unicode general categories the BPE pre-tokenizers need.
find_package(ICU COMPONENTS uc REQUIRED)
target_link_libraries(greenroute_engine PRIVATE ICU::uc)
target_sources(greenroute_engine PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/chat_template.cc
  ${CMAKE_CURRENT_LIST_DIR}/detokenize.cc
  ${CMAKE_CURRENT_LIST_DIR}/pre_tokenizer.cc
  ${CMAKE_CURRENT_LIST_DIR}/tokenize_bpe.cc
  ${CMAKE_CURRENT_LIST_DIR}/tokenize_spm.cc
  ${CMAKE_CURRENT_LIST_DIR}/tokenizer.cc
  ${CMAKE_CURRENT_LIST_DIR}/unicode.cc
  ${CMAKE_CURRENT_LIST_DIR}/vocab_data.cc)
