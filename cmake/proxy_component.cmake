# wasi:http/proxy components in C, built with Compono alone during the build:
# `compono bindgen c wit/wasi-http --world proxy`, clang for wasm32-wasi (a
# reactor), `compono componentize`.
#   compono_proxy_component(TARGET OUTPUT file.wasm SOURCES file.c...)
include(${CMAKE_CURRENT_LIST_DIR}/components.cmake)

function(compono_proxy_component target)
  cmake_parse_arguments(P "" "OUTPUT" "SOURCES" ${ARGN})
  set(wit ${PROJECT_SOURCE_DIR}/wit/wasi-http)
  compono_c_component(${target} OUTPUT ${P_OUTPUT} WIT ${wit} WORLD proxy
                      DEPS ${wit}/deps/io ${wit}/deps/clocks ${wit}/deps/random ${wit}/deps/cli
                      SOURCES ${P_SOURCES})
endfunction()
