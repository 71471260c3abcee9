# greenroute_set_warnings(target): the project's warning set, clean on gcc and clang.
function(greenroute_set_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align
    -Woverloaded-virtual -Wformat=2 -Wimplicit-fallthrough)
  # GCC 12's flow-sensitive warnings misfire inside libstdc++'s own inlined
  # code at -O2/-O3: -Wrestrict in std::string concatenation (GCC bugs 105329,
  # 105651) and -Wfree-nonheap-object in std::vector<std::vector<T>>'s
  # allocator, both fixed in GCC 13. They point at system headers, not at our
  # code, and would otherwise break -Werror builds. (-Wnull-dereference is left
  # out for the same reason: it misfires in <streambuf>.)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(${target} PRIVATE -Wno-restrict -Wno-free-nonheap-object)
  endif()
  if(GREENROUTE_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
