# Guest programs for tests: C sources compiled to wasm32-wasi with Debian's
# clang + wasi-libc during the build (never checked-in binaries).
find_program(COMPONO_WASM_CC NAMES clang-14 clang REQUIRED)
set(COMPONO_GUEST_DIR ${CMAKE_BINARY_DIR}/guests)
file(MAKE_DIRECTORY ${COMPONO_GUEST_DIR})

# compono_guest(NAME SOURCE [FLAGS...]) -> ${COMPONO_GUEST_DIR}/NAME.wasm
function(compono_guest name src)
  set(out ${COMPONO_GUEST_DIR}/${name}.wasm)
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${COMPONO_WASM_CC} --target=wasm32-wasi -O2 -Wall ${ARGN} -o ${out} ${src}
    DEPENDS ${src}
    COMMENT "guest ${name}.wasm"
    VERBATIM)
  add_custom_target(guest_${name} ALL DEPENDS ${out})
  set_property(GLOBAL APPEND PROPERTY COMPONO_GUESTS guest_${name})
endfunction()
