# wasi:http/proxy components in C, built with Compono alone during the build:
# `compono bindgen c wit/wasi-http --world proxy`, clang for wasm32-wasi (a
# reactor), `compono componentize`.
#   compono_proxy_component(TARGET OUTPUT file.wasm SOURCES file.c...)
find_program(COMPONO_WASM_CC NAMES clang-14 clang REQUIRED)

function(compono_proxy_component target)
  cmake_parse_arguments(P "" "OUTPUT" "SOURCES" ${ARGN})
  set(wit ${PROJECT_SOURCE_DIR}/wit/wasi-http)
  file(GLOB_RECURSE witfiles CONFIGURE_DEPENDS ${wit}/*.wit)
  set(base ${CMAKE_CURRENT_BINARY_DIR}/${target})
  add_custom_command(
    OUTPUT ${base}/gen/proxy.h ${base}/gen/proxy.c
    COMMAND ${CMAKE_COMMAND} -E make_directory ${base}/gen
    COMMAND $<TARGET_FILE:compono> bindgen c ${wit} --world proxy -o ${base}/gen
    DEPENDS compono ${witfiles}
    COMMENT "compono bindgen c: ${target} (wasi:http/proxy)"
    VERBATIM)
  add_custom_command(
    OUTPUT ${base}/${target}.core.wasm
    COMMAND ${COMPONO_WASM_CC} --target=wasm32-wasi -O2 -Wall -Werror -mexec-model=reactor
            -I${base}/gen -o ${base}/${target}.core.wasm ${P_SOURCES} ${base}/gen/proxy.c
    DEPENDS ${P_SOURCES} ${base}/gen/proxy.h ${base}/gen/proxy.c
    COMMENT "guest ${target}.core.wasm"
    VERBATIM)
  add_custom_command(
    OUTPUT ${P_OUTPUT}
    COMMAND $<TARGET_FILE:compono> componentize ${base}/${target}.core.wasm -o ${P_OUTPUT}
    DEPENDS compono ${base}/${target}.core.wasm
    COMMENT "compono componentize: ${P_OUTPUT}"
    VERBATIM)
  add_custom_target(${target} ALL DEPENDS ${P_OUTPUT})
endfunction()
