# fh_add_app(NAME SOURCES ...): the one way an app is built. The same sources become
#   NAME.cgi  in the build's cgi-bin/ (CGI front end, RFC 3875; fully static when FH_STATIC_CGI),
#   NAME.fcgi next to the app's build dir (FastCGI front end, libfcgi).
# Optional: LIBS (extra link libraries), DEFINES. No app source contains main().
# If the app has a templates/ directory, the build copies it beside both binaries as
# NAME.templates/ (build/apps/NAME/NAME.templates, build/cgi-bin/NAME.templates): where
# App::use_templates() looks by default (relative to the binary; never a source path).
#
# The static NAME.cgi is linked for start-up time (docs/architecture.md, "CGI start-up"):
# non-PIE -static (a static-pie relocates itself at every start), --gc-sections (only reachable
# code; the sources are compiled with FH_SECTION_FLAGS), exceptions unwound through .eh_frame_hdr
# instead of an FDE table libgcc sorts at the first throw, calls to dlopen & co. wrapped into ones
# that fail (both in cgi_static_wraps.cpp; no glibc static-dlopen warning), and the debug info
# split off into NAME.cgi.debug beside NAME.fcgi (the served cgi-bin/ holds programs only; gdb:
# `gdb -ex 'symbol-file apps/NAME/NAME.cgi.debug' cgi-bin/NAME.cgi`).
function(fh_add_app NAME)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS;DEFINES" ${ARGN})
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "fh_add_app(${NAME}): SOURCES is required")
  endif()
  # Compile the app's sources once; both artifacts link the same objects.
  add_library(${NAME}_app OBJECT ${ARG_SOURCES})
  target_link_libraries(${NAME}_app PUBLIC fcgihost ${ARG_LIBS})
  target_compile_options(${NAME}_app PRIVATE ${FH_WARNINGS} ${FH_SECTION_FLAGS})
  if(ARG_DEFINES)
    target_compile_definitions(${NAME}_app PRIVATE ${ARG_DEFINES})
  endif()

  add_executable(${NAME}.fcgi $<TARGET_OBJECTS:${NAME}_app>)
  target_link_libraries(${NAME}.fcgi PRIVATE fcgihost_fcgi_main fcgihost ${ARG_LIBS})
  set_target_properties(${NAME}.fcgi PROPERTIES OUTPUT_NAME "${NAME}.fcgi")

  add_executable(${NAME}.cgi $<TARGET_OBJECTS:${NAME}_app>)
  target_link_libraries(${NAME}.cgi PRIVATE fcgihost_cgi_main fcgihost ${ARG_LIBS})
  set_target_properties(${NAME}.cgi PROPERTIES OUTPUT_NAME "${NAME}.cgi"
                        RUNTIME_OUTPUT_DIRECTORY "${FH_CGI_BIN_DIR}")
  fh_app_templates(${NAME} "${CMAKE_CURRENT_SOURCE_DIR}/templates")

  if(FH_STATIC_CGI)
    target_sources(${NAME}.cgi PRIVATE $<TARGET_OBJECTS:fcgihost_cgi_static_wraps>)
    target_link_options(${NAME}.cgi PRIVATE -static -Wl,--gc-sections -Wl,--eh-frame-hdr
                        -Wl,--wrap=__register_frame_info -Wl,--wrap=__deregister_frame_info
                        -Wl,--wrap=dlopen -Wl,--wrap=dlsym -Wl,--wrap=dlclose -Wl,--wrap=dlerror)
    if(CMAKE_OBJCOPY)
      set(debug_file "${CMAKE_CURRENT_BINARY_DIR}/${NAME}.cgi.debug")
      add_custom_command(TARGET ${NAME}.cgi POST_BUILD
        COMMAND ${CMAKE_OBJCOPY} --only-keep-debug "$<TARGET_FILE:${NAME}.cgi>" "${debug_file}"
        COMMAND chmod 0644 "${debug_file}"
        COMMAND ${CMAKE_OBJCOPY} --strip-debug --add-gnu-debuglink=${debug_file}
                "$<TARGET_FILE:${NAME}.cgi>"
        VERBATIM)
    endif()
  endif()
endfunction()

# fh_app_templates(NAME DIR): copies DIR (if it exists) to NAME.templates/ beside NAME.fcgi and
# NAME.cgi whenever a file in it changes (a removed template disappears from the copies too).
function(fh_app_templates NAME DIR)
  if(NOT IS_DIRECTORY "${DIR}")
    return()
  endif()
  file(GLOB_RECURSE files CONFIGURE_DEPENDS "${DIR}/*")
  set(stamp "${CMAKE_CURRENT_BINARY_DIR}/${NAME}.templates.stamp")
  set(copies "${CMAKE_CURRENT_BINARY_DIR}/${NAME}.templates" "${FH_CGI_BIN_DIR}/${NAME}.templates")
  set(commands "")
  foreach(dest ${copies})
    list(APPEND commands COMMAND ${CMAKE_COMMAND} -E rm -rf "${dest}"
         COMMAND ${CMAKE_COMMAND} -E copy_directory "${DIR}" "${dest}")
  endforeach()
  add_custom_command(OUTPUT "${stamp}" ${commands}
    COMMAND ${CMAKE_COMMAND} -E touch "${stamp}"
    DEPENDS ${files} COMMENT "Copying ${NAME}'s templates beside its binaries" VERBATIM)
  add_custom_target(${NAME}_templates DEPENDS "${stamp}")
  add_dependencies(${NAME}.fcgi ${NAME}_templates)
  add_dependencies(${NAME}.cgi ${NAME}_templates)
endfunction()
