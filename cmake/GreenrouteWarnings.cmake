# greenroute_set_warnings(target): the project's warning set, clean on gcc and clang.
function(greenroute_set_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align
    -Woverloaded-virtual -Wnull-dereference -Wformat=2 -Wimplicit-fallthrough)
  # GCC 12 reports -Wrestrict inside libstdc++'s own std::string concatenation
  # when inlined at -O2 (GCC bugs 105329 and 105651, fixed in GCC 13): a false
  # positive in a system header that would otherwise break -Werror builds.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(${target} PRIVATE -Wno-restrict)
  endif()
  if(GREENROUTE_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
