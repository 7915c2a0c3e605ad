# fh_add_app(NAME SOURCES ...): the one way an app is built. The same sources become
#   NAME.cgi  in the build's cgi-bin/ (CGI front end, RFC 3875; fully static when FH_STATIC_CGI),
#   NAME.fcgi next to the app's build dir (FastCGI front end, libfcgi).
# Optional: LIBS (extra link libraries), DEFINES. No app source contains main().
function(fh_add_app NAME)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS;DEFINES" ${ARGN})
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "fh_add_app(${NAME}): SOURCES is required")
  endif()
  # Compile the app's sources once; both artifacts link the same objects.
  add_library(${NAME}_app OBJECT ${ARG_SOURCES})
  target_link_libraries(${NAME}_app PUBLIC fcgihost ${ARG_LIBS})
  target_compile_options(${NAME}_app PRIVATE ${FH_WARNINGS})
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
  if(FH_STATIC_CGI)
    target_link_options(${NAME}.cgi PRIVATE -static)
  endif()
endfunction()
