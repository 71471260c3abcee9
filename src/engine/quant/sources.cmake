target_sources(greenroute_engine PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/ggml_type.cc
  ${CMAKE_CURRENT_LIST_DIR}/float_rows.cc
  ${CMAKE_CURRENT_LIST_DIR}/q8_0.cc
  ${CMAKE_CURRENT_LIST_DIR}/q4_0.cc
  ${CMAKE_CURRENT_LIST_DIR}/q8_k.cc
  ${CMAKE_CURRENT_LIST_DIR}/q4_k.cc
  ${CMAKE_CURRENT_LIST_DIR}/q6_k.cc
  ${CMAKE_CURRENT_LIST_DIR}/type_table.cc
  ${CMAKE_CURRENT_LIST_DIR}/matmul.cc)

# SIMD kernels: only these files get the ISA flags, so the rest of the binary
# stays baseline x86-64 and runs anywhere; the traits table picks at run time.
if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
  target_sources(greenroute_engine PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/kernels_avx2.cc
    ${CMAKE_CURRENT_LIST_DIR}/kernels_avx512.cc)
  set_source_files_properties(${CMAKE_CURRENT_LIST_DIR}/kernels_avx2.cc
    PROPERTIES COMPILE_OPTIONS "-mavx2;-mfma;-mf16c")
  set_source_files_properties(${CMAKE_CURRENT_LIST_DIR}/kernels_avx512.cc
    PROPERTIES COMPILE_OPTIONS "-mavx512f;-mavx512bw;-mavx512vl;-mavx512vnni;-mavx2;-mfma;-mf16c")
endif()
