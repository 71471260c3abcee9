# GREENROUTE_SANITIZE=ON instruments every target with ASan + UBSan, and makes
# any UBSan finding fatal so a test cannot pass over undefined behaviour.
if(GREENROUTE_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=undefined
                      -fno-omit-frame-pointer -g)
  add_link_options(-fsanitize=address,undefined)
endif()
