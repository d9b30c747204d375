# C guest components built with Compono alone, during the build:
# `compono bindgen c` writes the bindings of a WIT world, clang builds the
# core module for wasm32-wasi (a reactor), `compono componentize` wraps it.
#
# compono_c_component(TARGET
#   OUTPUT   file.wasm                 the component to write
#   WIT      dir                       the world's package (its *.wit files)
#   WORLD    name                      the world (its C files are <world>.h/.c, '-' -> '_')
#   DEPS     dir...                    WIT packages it uses (each dir's *.wit becomes
#                                      deps/<dir name>/; a dir's own deps/* are added too)
#   SOURCES  file.c...)
# The WIT directory is assembled in the build tree (configure_file copies, so
# editing a .wit file re-runs CMake).
find_program(COMPONO_WASM_CC NAMES clang-14 clang REQUIRED)

# Copies the *.wit files of `src` into `dest`, appending them to the list `var`.
function(_compono_copy_wit src dest var)
  file(GLOB files ${src}/*.wit)
  foreach(f ${files})
    get_filename_component(n ${f} NAME)
    configure_file(${f} ${dest}/${n} COPYONLY)
  endforeach()
  set(${var} ${${var}} ${files} PARENT_SCOPE)
endfunction()

function(compono_c_component target)
  cmake_parse_arguments(C "" "OUTPUT;WIT;WORLD" "DEPS;SOURCES" ${ARGN})
  set(base ${CMAKE_CURRENT_BINARY_DIR}/${target})
  set(witdir ${base}/wit)
  set(witfiles "")
  _compono_copy_wit(${C_WIT} ${witdir} witfiles)
  foreach(dep ${C_DEPS})
    get_filename_component(depname ${dep} NAME)
    _compono_copy_wit(${dep} ${witdir}/deps/${depname} witfiles)
    file(GLOB nested LIST_DIRECTORIES true ${dep}/deps/*)
    foreach(nd ${nested})
      if(IS_DIRECTORY ${nd})
        get_filename_component(ndname ${nd} NAME)
        _compono_copy_wit(${nd} ${witdir}/deps/${ndname} witfiles)
      endif()
    endforeach()
  endforeach()
  string(REPLACE "-" "_" cworld ${C_WORLD})
  set(gen ${base}/gen)
  add_custom_command(
    OUTPUT ${gen}/${cworld}.h ${gen}/${cworld}.c
    COMMAND ${CMAKE_COMMAND} -E make_directory ${gen}
    COMMAND $<TARGET_FILE:compono> bindgen c ${witdir} --world ${C_WORLD} -o ${gen}
    DEPENDS compono ${witfiles}
    COMMENT "compono bindgen c: ${target} (${C_WORLD})"
    VERBATIM)
  set(core ${base}/${target}.core.wasm)
  add_custom_command(
    OUTPUT ${core}
    COMMAND ${COMPONO_WASM_CC} --target=wasm32-wasi -O2 -Wall -Werror -mexec-model=reactor
            -I${gen} -o ${core} ${C_SOURCES} ${gen}/${cworld}.c
    DEPENDS ${C_SOURCES} ${gen}/${cworld}.h ${gen}/${cworld}.c
    COMMENT "guest ${target}.core.wasm"
    VERBATIM)
  add_custom_command(
    OUTPUT ${C_OUTPUT}
    COMMAND $<TARGET_FILE:compono> componentize ${core} -o ${C_OUTPUT}
    DEPENDS compono ${core}
    COMMENT "compono componentize: ${C_OUTPUT}"
    VERBATIM)
  add_custom_target(${target} ALL DEPENDS ${C_OUTPUT})
endfunction()
