# greenroute_set_warnings(target): the project's warning set, clean on gcc and clang.
function(greenroute_set_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align
    -Woverloaded-virtual -Wnull-dereference -Wformat=2 -Wimplicit-fallthrough)
  if(GREENROUTE_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
